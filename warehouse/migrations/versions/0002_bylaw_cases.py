"""The bylaw case tables (bylaw/ops_schema.py): users, id_sequences, cases, complaints,
inspections, notices, remediation_works, photos, case_status_changes, audit_log.

Revision ID: 0002_bylaw_cases
Revises: 0001_review_queue
"""

from alembic import op
import sqlalchemy as sa

revision = '0002_bylaw_cases'
down_revision = '0001_review_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('audit_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_key', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('audit_id')
    )
    op.create_index('ix_audit_row', 'audit_log', ['table_name', 'row_key'], unique=False)
    op.create_table('id_sequences',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('users',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('officer_id', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=128), nullable=False),
    sa.Column('password_salt', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("role IN ('clerk', 'officer', 'supervisor', 'analyst', 'council_viewer')", name='ck_users_role'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('cases',
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('origin', sa.String(length=16), server_default='ops', nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('complaint_source', sa.String(length=16), nullable=False),
    sa.Column('complaint_ref', sa.String(length=64), nullable=True),
    sa.Column('bylaw_type', sa.String(length=64), nullable=False),
    sa.Column('bylaw_section', sa.String(length=255), nullable=True),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('roll_number', sa.String(length=19), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('ward', sa.String(length=64), nullable=True),
    sa.Column('zone_id', sa.String(length=64), nullable=True),
    sa.Column('owner_name', sa.String(length=255), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_inspection_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_officer_id', sa.String(length=64), nullable=True),
    sa.Column('assignment_reason', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('closure_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('export_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name='ck_cases_closed_at'),
    sa.CheckConstraint("priority IN ('urgent', 'standard', 'low')", name='ck_cases_priority'),
    sa.ForeignKeyConstraint(['export_id'], ['ops_exports.export_id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_index('ix_cases_officer', 'cases', ['assigned_officer_id'], unique=False)
    op.create_index('ix_cases_roll_number', 'cases', ['roll_number'], unique=False)
    op.create_index('ix_cases_status_type', 'cases', ['status', 'bylaw_type'], unique=False)
    op.create_table('case_status_changes',
    sa.Column('change_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('trigger', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], ),
    sa.PrimaryKeyConstraint('change_id')
    )
    op.create_index('ix_status_changes_case', 'case_status_changes', ['case_id'], unique=False)
    op.create_table('complaints',
    sa.Column('complaint_id', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('roll_number', sa.String(length=19), nullable=True),
    sa.Column('bylaw_type', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('complainant_name', sa.String(length=255), nullable=True),
    sa.Column('complainant_phone', sa.String(length=64), nullable=True),
    sa.Column('complainant_email', sa.String(length=255), nullable=True),
    sa.Column('anonymous', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('source_ref', sa.String(length=128), nullable=True),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("channel IN ('311_call', 'portal', 'phone', 'email', 'walk_in', 'council_referral')", name='ck_complaints_channel'),
    sa.CheckConstraint('NOT anonymous OR (complainant_name IS NULL AND complainant_phone IS NULL AND complainant_email IS NULL)', name='ck_complaints_anonymous'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], ),
    sa.PrimaryKeyConstraint('complaint_id'),
    sa.UniqueConstraint('source_ref')
    )
    op.create_index('ix_complaints_case', 'complaints', ['case_id'], unique=False)
    op.create_table('inspections',
    sa.Column('inspection_id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('inspection_type', sa.String(length=16), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True),
    sa.Column('inspected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('officer_id', sa.String(length=64), nullable=True),
    sa.Column('result', sa.String(length=32), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('export_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("inspection_type IN ('initial', 're_inspection')", name='ck_inspections_type'),
    sa.CheckConstraint("result IS NULL OR result IN ('violation_found', 'no_violation', 'complied', 'not_complied')", name='ck_inspections_result'),
    sa.CheckConstraint('(inspected_at IS NULL) = (result IS NULL)', name='ck_inspections_done'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], ),
    sa.ForeignKeyConstraint(['export_id'], ['ops_exports.export_id'], ),
    sa.PrimaryKeyConstraint('inspection_id')
    )
    op.create_index('ix_inspections_case', 'inspections', ['case_id'], unique=False)
    op.create_table('notices',
    sa.Column('notice_id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('notice_type', sa.String(length=32), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.Column('bylaw_section', sa.String(length=255), nullable=False),
    sa.Column('compliance_deadline', sa.Date(), nullable=True),
    sa.Column('fine_amount', sa.Float(), nullable=True),
    sa.Column('served_method', sa.String(length=32), nullable=False),
    sa.Column('served_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('document_path', sa.String(length=512), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('export_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("notice_type IN ('compliance_notice', 'order_to_comply', 'part_i_ticket', 'amp')", name='ck_notices_type'),
    sa.CheckConstraint("served_method IN ('registered_mail', 'personal', 'digital')", name='ck_notices_served_method'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], ),
    sa.ForeignKeyConstraint(['export_id'], ['ops_exports.export_id'], ),
    sa.PrimaryKeyConstraint('notice_id')
    )
    op.create_index('ix_notices_case', 'notices', ['case_id'], unique=False)
    op.create_table('remediation_works',
    sa.Column('work_id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('roll_number', sa.String(length=19), nullable=True),
    sa.Column('contractor', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cost', sa.Float(), nullable=False),
    sa.Column('invoiced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('added_to_tax_roll_on', sa.Date(), nullable=True),
    sa.Column('recovered_amount', sa.Float(), nullable=True),
    sa.Column('recovered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.Column('export_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('cost >= 0', name='ck_remediation_cost'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], ),
    sa.ForeignKeyConstraint(['export_id'], ['ops_exports.export_id'], ),
    sa.PrimaryKeyConstraint('work_id')
    )
    op.create_index('ix_remediation_case', 'remediation_works', ['case_id'], unique=False)
    op.create_table('photos',
    sa.Column('photo_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('complaint_id', sa.String(length=32), nullable=True),
    sa.Column('inspection_id', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_path', sa.String(length=512), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.Column('caption', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("kind IN ('complaint', 'before', 'after', 'evidence')", name='ck_photos_kind'),
    sa.CheckConstraint('case_id IS NOT NULL OR complaint_id IS NOT NULL', name='ck_photos_owner'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], ),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.complaint_id'], ),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.inspection_id'], ),
    sa.PrimaryKeyConstraint('photo_id')
    )
    op.create_index('ix_photos_case', 'photos', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_table('photos')
    op.drop_table('remediation_works')
    op.drop_table('notices')
    op.drop_table('inspections')
    op.drop_table('complaints')
    op.drop_table('case_status_changes')
    op.drop_table('cases')
    op.drop_table('users')
    op.drop_table('id_sequences')
    op.drop_table('audit_log')
