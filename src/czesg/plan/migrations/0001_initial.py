"""The task tracker, taken over from the dashboards app with its tables and rows.

``dashboards.0001_initial`` created the tables and ``dashboards.0004`` renamed them to
``plan_*``; here the models only enter this app's state, and the progress posts' index takes
the name Django derives from the new table.
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
                    name='DepartmentMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('department_key', models.CharField(max_length=40, verbose_name='department')),
                        ('assigned_at', models.DateTimeField(verbose_name='assigned at')),
                        ('assigned_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='departments', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'department membership',
                        'verbose_name_plural': 'department memberships',
                        'ordering': ['department_key', 'user_id'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'department_key'), name='department_membership_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='TaskProgress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('task_number', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name='task')),
                        ('department_key', models.CharField(max_length=40, verbose_name='department')),
                        ('date', models.DateField(verbose_name='date')),
                        ('text', models.TextField(verbose_name='progress')),
                        ('link', models.URLField(blank=True, max_length=500, verbose_name='attachment link')),
                        ('posted_at', models.DateTimeField(verbose_name='posted at')),
                        ('posted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'task progress post',
                        'verbose_name_plural': 'task progress posts',
                        'ordering': ['task_number', '-date', '-id'],
                        'indexes': [models.Index(fields=['task_number', 'date'], name='dashboards__task_nu_f6c21d_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='TaskMilestone',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('task_number', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name='task')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('due', models.DateField(verbose_name='due date')),
                        ('done_on', models.DateField(blank=True, null=True, verbose_name='done on')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='updated at')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'task milestone',
                        'verbose_name_plural': 'task milestones',
                        'ordering': ['task_number', 'due', 'id'],
                    },
                ),
            ],
        ),
        # The index was named after the dashboards table; give it the name Django derives here.
        migrations.RenameIndex(
            model_name='taskprogress',
            new_name='plan_taskpr_task_nu_bf9a0b_idx',
            old_name='dashboards__task_nu_f6c21d_idx',
        ),
    ]
