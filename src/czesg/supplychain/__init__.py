"""Supply chain: products, their carbon footprints and the PACT v3 exchange of footprints."""
