"""The fake company's vocabulary: regions, business categories, acquisition methods, products and
stages, each with the weights and size factors the seeded draw gives it."""

from __future__ import annotations

COMPANY = "Acme Corp"
REGIONS = ("North America", "EMEA", "LATAM", "APAC", "Nordics")
REGION_WEIGHTS = (0.34, 0.26, 0.12, 0.16, 0.12)

CATEGORIES = (
    "Manufacturing", "Retail", "Healthcare", "Finance",
    "Software", "Logistics", "Education", "Energy",
)  # fmt: skip
CATEGORY_WEIGHTS = (0.16, 0.14, 0.12, 0.12, 0.16, 0.12, 0.08, 0.10)
CATEGORY_SIZE = (1.1, 0.75, 1.2, 1.5, 1.0, 0.9, 0.55, 1.45)

METHODS = ("Referral", "Inbound", "Outbound", "Partner", "Event", "Paid Search")
METHOD_WEIGHTS = (0.15, 0.25, 0.24, 0.12, 0.10, 0.14)
METHOD_SIZE = (1.3, 1.0, 0.9, 1.2, 0.95, 0.7)
METHOD_WIN = (1.3, 1.1, 0.8, 1.15, 0.95, 0.85)

PRODUCTS = (
    "Core Platform", "Analytics Suite", "Enterprise License",
    "Professional Services", "Support Plan", "Integration Pack",
)  # fmt: skip
PRODUCT_WEIGHTS = (0.32, 0.18, 0.10, 0.16, 0.12, 0.12)
PRODUCT_SIZE = (1.0, 0.65, 2.4, 0.5, 0.35, 0.45)

WON_STAGE, LOST_STAGE = "Closed Won", "Closed Lost"
OPEN_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
OPEN_STAGE_WEIGHTS = (0.32, 0.27, 0.23, 0.18)
STAGES = (WON_STAGE, LOST_STAGE, *OPEN_STAGES)
