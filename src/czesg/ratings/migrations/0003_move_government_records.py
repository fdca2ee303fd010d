"""Government records move to the records app: the table is renamed (the rows stay), and the
model leaves this app's state; ``records.0001_initial`` takes it into the records app's state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ratings', '0002_rating_run_covering'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='governmentrecord', table='records_governmentrecord'),
            ],
            state_operations=[
                migrations.DeleteModel(name='GovernmentRecord'),
            ],
        ),
    ]
