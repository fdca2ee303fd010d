"""The carbon calculator as users meet it: calculations stored per enterprise-year, applied to
draft disclosures, recalculated beside the original when a newer factor set is published."""
