"""The government records, taken over from the ratings app with their table and rows.

The table was created by ``ratings.0001_initial`` and renamed to ``records_governmentrecord``
by ``ratings.0003_move_government_records``; here the model only enters this app's state,
and its index takes the name Django derives from the new table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('enterprises', '0001_initial'),
        ('ratings', '0003_move_government_records'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='GovernmentRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('kind', models.CharField(choices=[('environmental_penalty', 'Environmental administrative penalty'), ('safety_accident', 'Work-safety accident'), ('tax_credit_grade', 'Tax credit grade'), ('environmental_credit_colour', 'Environmental credit colour'), ('certification', 'Green certification')], max_length=32, verbose_name='kind')),
                        ('count', models.PositiveIntegerField(default=1, help_text='Number of penalties or accidents the record stands for.', verbose_name='count')),
                        ('amount', models.FloatField(blank=True, null=True, verbose_name='amount (10,000 CNY)')),
                        ('key', models.CharField(blank=True, max_length=40, verbose_name='grade, colour, certification or severity')),
                        ('source', models.CharField(max_length=300, verbose_name='source (department, document)')),
                        ('imported_at', models.DateTimeField(verbose_name='imported at')),
                        ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='government_records', to='enterprises.enterprise')),
                        ('imported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'government record',
                        'verbose_name_plural': 'government records',
                        'ordering': ['enterprise_id', 'year', 'kind', 'id'],
                        'indexes': [models.Index(fields=['year', 'kind'], name='ratings_gov_year_73ef9e_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind__in', ['tax_credit_grade', 'environmental_credit_colour'])), fields=('enterprise', 'year', 'kind'), name='government_record_one_grade_a_year'), models.UniqueConstraint(condition=models.Q(('kind', 'certification')), fields=('enterprise', 'year', 'kind', 'key'), name='government_record_one_certification_a_year')],
                    },
                ),
            ],
        ),
        # The index was named after the ratings table; give it the name Django derives here.
        migrations.RenameIndex(
            model_name='governmentrecord',
            new_name='records_gov_year_c1f153_idx',
            old_name='ratings_gov_year_73ef9e_idx',
        ),
    ]
