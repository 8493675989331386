"""The review-queue tables of warehouse/ops.py (ops_exports, review_decisions, review_tickets,
mto_owner_records).

A baseline: each table is created only where it is missing, so a database that
`metadata.create_all` made before migrations existed is adopted as it is.

Revision ID: 0001_review_queue
Revises: None
"""

from alembic import op
import sqlalchemy as sa

revision = '0001_review_queue'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'mto_owner_records' not in existing:
        op.create_table('mto_owner_records',
        sa.Column('ticket_number', sa.String(length=23), nullable=False),
        sa.Column('request_batch_id', sa.Integer(), nullable=False),
        sa.Column('issue_date', sa.Date(), nullable=False),
        sa.Column('record_date', sa.Date(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('response_file', sa.String(length=255), nullable=False),
        sa.Column('response_sha256', sa.String(length=64), nullable=False),
        sa.Column('owner_name_1', sa.String(length=50), nullable=False),
        sa.Column('owner_name_2', sa.String(length=50), nullable=True),
        sa.Column('owner_address', sa.String(length=40), nullable=True),
        sa.Column('owner_city', sa.String(length=40), nullable=True),
        sa.Column('owner_province', sa.String(length=2), nullable=False),
        sa.Column('owner_postal_code', sa.String(length=6), nullable=True),
        sa.Column('vehicle_make', sa.String(length=4), nullable=True),
        sa.Column('vehicle_year', sa.Integer(), nullable=True),
        sa.Column('vehicle_colour', sa.String(length=3), nullable=True),
        sa.Column('plate_expiry', sa.String(length=7), nullable=True),
        sa.Column('mto_code', sa.String(length=6), nullable=True),
        sa.Column('mto_message', sa.String(length=29), nullable=True),
        sa.PrimaryKeyConstraint('ticket_number')
        )
    if 'ops_exports' not in existing:
        op.create_table('ops_exports',
        sa.Column('export_id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('export_id')
        )
    if 'review_decisions' not in existing:
        op.create_table('review_decisions',
        sa.Column('decision_id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('read_id', sa.String(length=64), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=True),
        sa.Column('reason_note', sa.Text(), nullable=True),
        sa.Column('officer_id', sa.String(length=64), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('issue_method', sa.String(length=16), nullable=True),
        sa.Column('ticket_number', sa.String(length=23), nullable=True),
        sa.Column('export_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("decision = 'confirmed' OR ticket_number IS NULL", name='ck_review_decisions_ticket'),
        sa.CheckConstraint("decision IN ('confirmed', 'rejected')", name='ck_review_decisions_decision'),
        sa.CheckConstraint("issue_method IS NULL OR issue_method IN ('windshield', 'mail')", name='ck_review_decisions_issue_method'),
        sa.ForeignKeyConstraint(['export_id'], ['ops_exports.export_id'], ),
        sa.PrimaryKeyConstraint('decision_id'),
        sa.UniqueConstraint('read_id'),
        sa.UniqueConstraint('ticket_number')
        )
    if 'review_tickets' not in existing:
        op.create_table('review_tickets',
        sa.Column('ticket_number', sa.String(length=23), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('read_id', sa.String(length=64), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('officer_id', sa.String(length=64), nullable=False),
        sa.Column('bylaw_code', sa.String(length=32), nullable=False),
        sa.Column('violation_type', sa.String(length=64), nullable=False),
        sa.Column('fine_amount', sa.Float(), nullable=False),
        sa.Column('plate', sa.String(length=16), nullable=False),
        sa.Column('province', sa.String(length=8), nullable=False),
        sa.Column('make', sa.String(length=64), nullable=True),
        sa.Column('model', sa.String(length=64), nullable=True),
        sa.Column('colour', sa.String(length=64), nullable=True),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('street_address', sa.String(length=255), nullable=False),
        sa.Column('blockface_id', sa.String(length=64), nullable=True),
        sa.Column('zone_id', sa.String(length=64), nullable=True),
        sa.Column('issue_method', sa.String(length=16), nullable=False),
        sa.Column('detection_source', sa.String(length=16), server_default='alpr', nullable=False),
        sa.Column('evidence_ref', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('export_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decision_id'], ['review_decisions.decision_id'], ),
        sa.ForeignKeyConstraint(['export_id'], ['ops_exports.export_id'], ),
        sa.PrimaryKeyConstraint('ticket_number'),
        sa.UniqueConstraint('decision_id'),
        sa.UniqueConstraint('read_id')
        )


def downgrade() -> None:
    op.drop_table('review_tickets')
    op.drop_table('review_decisions')
    op.drop_table('ops_exports')
    op.drop_table('mto_owner_records')
