"""The enterprise-year fact table, taken over from the dashboards app with its table and rows.

``dashboards.0002_enterprise_year_facts`` created the table and ``dashboards.0003`` renamed it to
``disclosures_enterpriseyear``; here the model only enters this app's state, and the facts are
rebuilt under the one rule for the latest published version (the highest published version
number, where the dashboards used to take the highest primary key).
"""

import django.db.models.deletion
from django.db import migrations, models


def build_facts(apps, schema_editor):
    """Rebuild the fact table from the disclosures already published."""
    from czesg.disclosures.facts import rebuild_facts

    with schema_editor.connection.cursor() as cursor:
        rebuild_facts(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0003_move_enterprise_year'),
        ('disclosures', '0001_initial'),
        ('enterprises', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='EnterpriseYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('emissions', models.FloatField(null=True, verbose_name='Scope 1 and 2 emissions (tCO2e)')),
                        ('revenue', models.FloatField(null=True, verbose_name='operating revenue')),
                        ('energy', models.FloatField(null=True, verbose_name='energy consumption (tce)')),
                        ('disclosure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='disclosures.disclosure', verbose_name='latest published disclosure')),
                        ('enterprise', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='enterprises.enterprise', verbose_name='enterprise')),
                    ],
                    options={
                        'verbose_name': 'enterprise-year fact',
                        'verbose_name_plural': 'enterprise-year facts',
                        'indexes': [models.Index(fields=['year', 'enterprise'], include=('emissions', 'revenue', 'energy'), name='dashboards_ey_year')],
                        'constraints': [models.UniqueConstraint(fields=('enterprise', 'year'), name='dashboards_enterpriseyear_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(build_facts, migrations.RunPython.noop),
    ]
