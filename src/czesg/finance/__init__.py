"""Green finance for banks: products, financing requests, labels, targets and financed emissions."""
