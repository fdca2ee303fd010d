# czesg: the two set-up commands (see README.md).
#   make demo   install everything, load the Changzhou demo data, serve http://127.0.0.1:8000
#   make test   install everything (PostgreSQL 15, Chromium), run the suite on SQLite and PostgreSQL
.PHONY: demo test install install-test lint messages

demo: install
	CZESG_ENV=development ./scripts/uvw run czesg demo

test: install-test
	./scripts/run-tests

install:
	./scripts/bootstrap

install-test:
	./scripts/bootstrap --test

lint:
	./scripts/uvw run ruff check src tests

messages:
	cd src/czesg && ../../scripts/uvw run django-admin makemessages -l zh_Hans -l en --no-obsolete && ../../scripts/uvw run django-admin compilemessages
