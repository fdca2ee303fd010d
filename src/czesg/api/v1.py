"""REST API v1: builds the NinjaAPI, installs the problem-document exception handlers and mounts
each app's router. The endpoints live in the apps that own them (``<app>/api.py``)."""


from czesg.access.api import router as access_router
from czesg.carbon.api import router as carbon_router
from czesg.disclosures.api import router as disclosures_router
from czesg.enterprises.api import router as enterprises_router
from czesg.extraction.api import router as extraction_router
from czesg.finance.api import router as finance_router
from czesg.portal.api import router as portal_router
from czesg.ratings.api import router as ratings_router
from czesg.records.api import router as records_router
from czesg.records.figures_api import router as figures_router
from czesg.supplychain.api import router as supplychain_router
from czesg.web.contract import ProblemDocumentedAPI
from czesg.web.handlers import install_problem_handlers
from czesg.web.ratelimit import RateLimited, refusal

api = ProblemDocumentedAPI(
    title="czesg API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Changzhou ESG data service platform: open API, version 1. Published data is open to "
        "everybody; sign in (session) or send 'Authorization: Bearer <token>' to read what your "
        "account may read, including data enterprises have consented to share with you. Errors "
        "are RFC 7807 problem documents."
    ),
)
install_problem_handlers(api)
# Cost-based rate limits (czesg.web.ratelimit): a declared cost refused inside an operation.
api.add_exception_handler(RateLimited, refusal)

api.add_router("", disclosures_router)
api.add_router("", enterprises_router)
api.add_router("", access_router)
api.add_router("", portal_router)
api.add_router("", figures_router)
api.add_router("/carbon", carbon_router)
api.add_router("/ratings", ratings_router)
api.add_router("/records", records_router)
api.add_router("/finance", finance_router)
api.add_router("/extraction", extraction_router)
api.add_router("/supplychain", supplychain_router)
