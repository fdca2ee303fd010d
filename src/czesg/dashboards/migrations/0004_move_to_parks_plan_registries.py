"""The zone statistics, the task tracker and the registries move to their own apps: each table is
renamed (its rows stay) and each model leaves this app's state; ``parks.0001_initial``,
``plan.0001_initial`` and ``registries.0001_initial`` take them into their apps' states."""

from django.db import migrations

MOVES = {
    'zonestatistic': 'parks_zonestatistic',
    'departmentmembership': 'plan_departmentmembership',
    'taskprogress': 'plan_taskprogress',
    'taskmilestone': 'plan_taskmilestone',
    'standard': 'registries_standard',
    'serviceagency': 'registries_serviceagency',
    'keyproject': 'registries_keyproject',
    'professionalintake': 'registries_professionalintake',
    'goodpracticecase': 'registries_goodpracticecase',
}


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0003_move_enterprise_year'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=model, table=table)
                for model, table in MOVES.items()
            ],
            state_operations=[migrations.DeleteModel(name=model) for model in MOVES],
        ),
    ]
