import django.core.validators
import django.db.models.deletion
import followup.models.plans
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Feedback talks, appeals and improvement plans move from assessments to followup. Django's state only: the
    tables, their rows, ids, indexes and constraints stay exactly as they are, under the names they had
    (assessments_improvementplan, …, assessments_historicalaction), which the models keep with Meta.db_table.
    assessments 0009 then drops the models from its own state, and 0002 here moves their content types."""

    initial = True

    dependencies = [
        ('assessments', '0008_anonymity_at_rest'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables exist (Meta.db_table keeps their assessments_ names) with their rows.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ActionTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('dimension_code', models.SlugField(verbose_name='dimension code')),
                        ('indicator_code', models.SlugField(blank=True, help_text='Leave empty for a suggestion that fits every indicator of the dimension.', verbose_name='indicator code')),
                        ('title', models.CharField(max_length=200, verbose_name='action title')),
                        ('description', models.TextField(blank=True, verbose_name='what will be done')),
                        ('duration_days', models.PositiveSmallIntegerField(default=180, validators=[django.core.validators.MaxValueValidator(730)], verbose_name='suggested duration (days)')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                    ],
                    options={
                        'verbose_name': 'action template',
                        'verbose_name_plural': 'action templates',
                        'db_table': 'assessments_actiontemplate',
                        'ordering': ['dimension_code', 'indicator_code', 'order', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('duration_days__gte', 1)), name='action_template_duration_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalFeedbackTalk',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('held_on', models.DateField(blank=True, null=True, verbose_name='talk held on')),
                        ('participants', models.CharField(blank=True, max_length=500, verbose_name='who took part')),
                        ('notes', models.TextField(blank=True, verbose_name='key points')),
                        ('response', models.CharField(blank=True, choices=[('accept', 'I accept the assessment'), ('comment', 'I accept it, with remarks'), ('appeal', 'I appeal against it')], max_length=20, verbose_name='response')),
                        ('response_text', models.TextField(blank=True, verbose_name="response in the leader's words")),
                        ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='responded at')),
                        ('appeal_status', models.CharField(blank=True, choices=[('pending', 'Appeal awaiting a decision'), ('under_review', 'Result under review'), ('dismissed', 'Appeal dismissed'), ('resolved', 'Review concluded')], max_length=20, verbose_name='appeal')),
                        ('appeal_outcome', models.TextField(blank=True, verbose_name='appeal outcome')),
                        ('appeal_decided_at', models.DateTimeField(blank=True, null=True, verbose_name='appeal decided at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('appeal_decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='appeal decided by')),
                        ('held_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='talk held by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assessments.casesubject', verbose_name='subject')),
                    ],
                    options={
                        'verbose_name': 'historical feedback talk',
                        'verbose_name_plural': 'historical feedback talks',
                        'db_table': 'assessments_historicalfeedbacktalk',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalImprovementPlan',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('approved', 'Approved'), ('in_progress', 'In progress'), ('completed', 'Completed'), ('verified', 'Verified')], default='draft', max_length=20, verbose_name='status')),
                        ('goal', models.TextField(blank=True, verbose_name='goal')),
                        ('return_reason', models.TextField(blank=True, verbose_name='reason returned')),
                        ('verification_note', models.TextField(blank=True, verbose_name='verification note')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assessments.casesubject', verbose_name='for')),
                    ],
                    options={
                        'verbose_name': 'historical improvement plan',
                        'verbose_name_plural': 'historical improvement plans',
                        'db_table': 'assessments_historicalimprovementplan',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='ImprovementPlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('approved', 'Approved'), ('in_progress', 'In progress'), ('completed', 'Completed'), ('verified', 'Verified')], default='draft', max_length=20, verbose_name='status')),
                        ('goal', models.TextField(blank=True, verbose_name='goal')),
                        ('return_reason', models.TextField(blank=True, verbose_name='reason returned')),
                        ('verification_note', models.TextField(blank=True, verbose_name='verification note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified at')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated at')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('subject', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='improvement_plan', to='assessments.casesubject', verbose_name='for')),
                    ],
                    options={
                        'verbose_name': 'improvement plan',
                        'verbose_name_plural': 'improvement plans',
                        'db_table': 'assessments_improvementplan',
                        'ordering': ['subject__case', 'subject__order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalAction',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='action title')),
                        ('description', models.TextField(blank=True, verbose_name='what will be done')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('done', 'Done')], default='planned', max_length=20, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='progress (%)')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('overdue_since', models.DateField(blank=True, null=True, verbose_name='overdue since')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('indicator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assessments.indicator', verbose_name='targets indicator')),
                        ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='people.person', verbose_name='owner')),
                        ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='followup.improvementplan', verbose_name='plan')),
                    ],
                    options={
                        'verbose_name': 'historical action',
                        'verbose_name_plural': 'historical actions',
                        'db_table': 'assessments_historicalaction',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Action',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='action title')),
                        ('description', models.TextField(blank=True, verbose_name='what will be done')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('done', 'Done')], default='planned', max_length=20, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='progress (%)')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('overdue_since', models.DateField(blank=True, null=True, verbose_name='overdue since')),
                        ('overdue_notified_on', models.DateField(blank=True, null=True, verbose_name='overdue notice sent on')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated at')),
                        ('indicator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='assessments.indicator', verbose_name='targets indicator')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_actions', to='people.person', verbose_name='owner')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='followup.improvementplan', verbose_name='plan')),
                    ],
                    options={
                        'verbose_name': 'action',
                        'verbose_name_plural': 'actions',
                        'db_table': 'assessments_action',
                        'ordering': ['plan', 'order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='ProgressUpdate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('note', models.TextField(verbose_name='note')),
                        ('progress', models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(100)], verbose_name='progress (%)')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='posted at')),
                        ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='updates', to='followup.action', verbose_name='action')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                    ],
                    options={
                        'verbose_name': 'progress update',
                        'verbose_name_plural': 'progress updates',
                        'db_table': 'assessments_progressupdate',
                        'ordering': ['action', 'created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Evidence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(editable=False, max_length=32, unique=True)),
                        ('file', models.FileField(max_length=200, upload_to=followup.models.plans.evidence_path, verbose_name='file')),
                        ('name', models.CharField(max_length=200, verbose_name='file name')),
                        ('content_type', models.CharField(max_length=100, verbose_name='type')),
                        ('extension', models.CharField(max_length=10)),
                        ('size', models.PositiveIntegerField(verbose_name='size (bytes)')),
                        ('sha256', models.CharField(max_length=64)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                        ('update', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='followup.progressupdate', verbose_name='progress update')),
                    ],
                    options={
                        'verbose_name': 'evidence',
                        'verbose_name_plural': 'evidence',
                        'db_table': 'assessments_evidence',
                        'ordering': ['update', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='FeedbackTalk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('held_on', models.DateField(blank=True, null=True, verbose_name='talk held on')),
                        ('participants', models.CharField(blank=True, max_length=500, verbose_name='who took part')),
                        ('notes', models.TextField(blank=True, verbose_name='key points')),
                        ('response', models.CharField(blank=True, choices=[('accept', 'I accept the assessment'), ('comment', 'I accept it, with remarks'), ('appeal', 'I appeal against it')], max_length=20, verbose_name='response')),
                        ('response_text', models.TextField(blank=True, verbose_name="response in the leader's words")),
                        ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='responded at')),
                        ('appeal_status', models.CharField(blank=True, choices=[('pending', 'Appeal awaiting a decision'), ('under_review', 'Result under review'), ('dismissed', 'Appeal dismissed'), ('resolved', 'Review concluded')], max_length=20, verbose_name='appeal')),
                        ('appeal_outcome', models.TextField(blank=True, verbose_name='appeal outcome')),
                        ('appeal_decided_at', models.DateTimeField(blank=True, null=True, verbose_name='appeal decided at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('appeal_decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='appeal decided by')),
                        ('held_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='talk held by')),
                        ('subject', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='assessments.casesubject', verbose_name='subject')),
                    ],
                    options={
                        'verbose_name': 'feedback talk',
                        'verbose_name_plural': 'feedback talks',
                        'db_table': 'assessments_feedbacktalk',
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('response', 'appeal'), _negated=True), models.Q(('response_text', ''), _negated=True), _connector='OR'), name='feedback_appeal_has_reasons', violation_error_message='An appeal needs its reasons.')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='improvementplan',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'returned'), _negated=True), models.Q(('return_reason', ''), _negated=True), _connector='OR'), name='plan_returned_has_reason', violation_error_message='A returned plan needs the reason.'),
                ),
                migrations.AddIndex(
                    model_name='action',
                    index=models.Index(fields=['due_on', 'status'], name='action_due_status'),
                ),
                migrations.AddConstraint(
                    model_name='action',
                    constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='action_progress_at_most_100'),
                ),
                migrations.AddConstraint(
                    model_name='action',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'done'), _negated=True), ('progress', 100), _connector='OR'), name='action_done_is_complete'),
                ),
            ],
            database_operations=[],
        ),
    ]
