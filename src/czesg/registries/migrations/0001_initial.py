"""The registries, taken over from the dashboards app with their tables and rows.

``dashboards.0001_initial`` created the tables and ``dashboards.0004`` renamed them to
``registries_*``; here the models only enter this app's state.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dashboards', '0004_move_to_parks_plan_registries'),
        ('enterprises', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Standard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('source', models.CharField(help_text='The document, notice or department the entry is taken from.', max_length=300, verbose_name='source')),
                        ('entered_at', models.DateTimeField(verbose_name='entered at')),
                        ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='updated at')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('kind', models.CharField(choices=[('national', 'National standard'), ('industry', 'Industry standard'), ('local', 'Local standard'), ('group', 'Group standard'), ('enterprise', 'Enterprise standard')], max_length=12, verbose_name='kind')),
                        ('role', models.CharField(choices=[('led', 'Led'), ('joined', 'Took part')], max_length=8, verbose_name='role')),
                        ('document', models.CharField(blank=True, help_text='Standard number or a link to the published text.', max_length=300, verbose_name='document')),
                        ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'standard',
                        'verbose_name_plural': 'standards',
                        'ordering': ['-date', '-id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ServiceAgency',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('source', models.CharField(help_text='The document, notice or department the entry is taken from.', max_length=300, verbose_name='source')),
                        ('entered_at', models.DateTimeField(verbose_name='entered at')),
                        ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('kind', models.CharField(choices=[('disclosure', 'Disclosure services'), ('assurance', 'Assurance'), ('rating', 'Rating'), ('consulting', 'Consulting')], max_length=12, verbose_name='kind')),
                        ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ESG service agency',
                        'verbose_name_plural': 'ESG service agencies',
                        'ordering': ['-date', '-id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='KeyProject',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('source', models.CharField(help_text='The document, notice or department the entry is taken from.', max_length=300, verbose_name='source')),
                        ('entered_at', models.DateTimeField(verbose_name='entered at')),
                        ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='updated at')),
                        ('name', models.CharField(max_length=300, verbose_name='name')),
                        ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                        ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ESG key project',
                        'verbose_name_plural': 'ESG key projects',
                        'ordering': ['-date', '-id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ProfessionalIntake',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('source', models.CharField(help_text='The document, notice or department the entry is taken from.', max_length=300, verbose_name='source')),
                        ('entered_at', models.DateTimeField(verbose_name='entered at')),
                        ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='updated at')),
                        ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                        ('count', models.PositiveIntegerField(verbose_name='professionals')),
                        ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ESG professionals attracted',
                        'verbose_name_plural': 'ESG professionals attracted',
                        'ordering': ['-date', '-id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='GoodPracticeCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('source', models.CharField(help_text='The document, notice or department the entry is taken from.', max_length=300, verbose_name='source')),
                        ('entered_at', models.DateTimeField(verbose_name='entered at')),
                        ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='updated at')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                        ('summary', models.TextField(verbose_name='summary')),
                        ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enterprises.enterprise', verbose_name='enterprise')),
                    ],
                    options={
                        'verbose_name': 'good-practice case',
                        'verbose_name_plural': 'good-practice cases',
                        'ordering': ['-date', '-id'],
                        'abstract': False,
                    },
                ),
            ],
        ),
    ]
