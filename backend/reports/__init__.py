"""Reports for payers (issue 16 §8): daily aggregates per payer, the job that keeps them, the
page with charts and the CSV. See backend/reports/aggregate.py for how the figures are counted."""
