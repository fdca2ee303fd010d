"""The zone statistics, taken over from the dashboards app with their table and rows.

``dashboards.0001_initial`` created the table and ``dashboards.0004`` renamed it to
``parks_zonestatistic``; here the model only enters this app's state.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dashboards', '0004_move_to_parks_plan_registries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ZoneStatistic',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('park_key', models.CharField(max_length=60, verbose_name='zone')),
                        ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                        ('key', models.CharField(max_length=60, verbose_name='statistic')),
                        ('value', models.FloatField(verbose_name='value')),
                        ('unit', models.CharField(max_length=24, verbose_name='unit')),
                        ('source', models.CharField(max_length=300, verbose_name='source')),
                        ('methodology_version', models.CharField(max_length=20, verbose_name='methodology')),
                        ('entered_at', models.DateTimeField(verbose_name='entered at')),
                        ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'zone statistic',
                        'verbose_name_plural': 'zone statistics',
                        'ordering': ['park_key', '-year', 'key'],
                        'constraints': [models.UniqueConstraint(fields=('park_key', 'year', 'key'), name='zone_statistic_once_a_year')],
                    },
                ),
            ],
        ),
    ]
