"""Green finance: product eligibility, carbon-efficiency labels, targets, expected reductions and
financed emissions (PCAF). Plain data in, plain data out; no Django."""
