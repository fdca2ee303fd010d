"""Independent assurance of disclosures: firms, engagements, procedures, findings, statements."""
