"""The enterprise-year fact table moves beside the disclosures it summarises: the table is
renamed (its rows stay) and the model leaves this app's state;
``disclosures.0002_enterprise_year`` takes it into the disclosures app's state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0002_enterprise_year_facts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='enterpriseyear',
                                           table='disclosures_enterpriseyear'),
            ],
            state_operations=[
                migrations.DeleteModel(name='EnterpriseYear'),
            ],
        ),
    ]
