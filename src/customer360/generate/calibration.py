"""The figures that calibrate the demo: its history's dates and how its customers behave.

The default size, 5,001 customers, is calibrated to SPEC section 6's ranges for the mart (a few
percent High-Value Enterprise, most small customers dormant, an LTV ratio of about six). Each
figure's comment says what it shapes.
"""

from __future__ import annotations

from datetime import date

import numpy as np

# The size that the figures below are calibrated for.
DEFAULT_CUSTOMERS = 5_001

END_DATE = date(2025, 12, 31)
# Activity, funnel and support events start at HISTORY_START; transactions reach two years further
# back, so lifetime revenue and the RFM window of the earliest snapshots see whole histories.
HISTORY_START = date(2022, 1, 1)
TRANSACTIONS_START = date(2016, 1, 1)

# --- Calendar, as day numbers since 1970-01-01 -------------------------------------------------
_EPOCH = date(1970, 1, 1)
DAY_SECONDS = 86_400
END_DAY = (END_DATE - _EPOCH).days
HISTORY_START_DAY = (HISTORY_START - _EPOCH).days
TRANSACTIONS_START_DAY = (TRANSACTIONS_START - _EPOCH).days
# The mart calls a customer dormant when days since the last event exceed 180.
LAST_DORMANT_DAY = END_DAY - 181
# Sign-ups reach back this far before END_DATE, a year before the history starts: those
# customers' first purchases, and some whole lives, lie before the files begin.
SIGNUP_SPAN_DAYS = (6 * 365, 12 * 365)  # large accounts (a younger business), small customers
# A few sign-ups are recent; they are onboarding at END_DATE.
RECENT_SIGNUP_SHARE = 0.04

# --- Books of business ------------------------------------------------------------------------
CUSTOMERS_PER_OWNER = 37
LARGE_PER_BOOK = 4
UNASSIGNED_SHARE = 0.05
# The unassigned pool is one big book, so its enterprise accounts stay under 5% of it: they are
# the Gold/Platinum customers that are not High-Value Enterprise.
POOLED_LARGE_SHARE = 0.25

# --- Behaviour: purchases and dropout (BG/NBD) --------------------------------------------------
# Each buyer makes a first purchase some days after signing up, then repeat purchases as a
# Poisson process of its own rate (gamma distributed across customers, per profile). After each
# repeat purchase it drops out for good with its own probability (beta distributed across
# customers, per profile). Profiles: large accounts, small buyers. Some small customers never buy.
SMALL_BUYER_SHARE = 0.9
FIRST_PURCHASE_DELAY_DAYS = 30.0  # mean days from signup to the first purchase
# Gamma shape and mean of the repeat purchase rate (purchases per day), and its floor: large
# accounts are billed monthly to yearly, small buyers come back every few months.
PURCHASE_RATE_SHAPE = (2.0, 3.0)
PURCHASE_RATE_MEAN = (1.0 / 60, 1.0 / 60)
PURCHASE_RATE_FLOOR = 1.0 / 400
# Beta(a, b) of the dropout probability after a repeat purchase.
DROPOUT_BETA = ((4.0, 16.0), (6.0, 66.0))
# Spend. A large account has a yearly contract value (lognormal median), billed at its rate, so
# one purchase is the contract value over the purchases of a year. A small buyer has a budget
# (lognormal median) that it spends over its expected lifetime of 1 / dropout purchases: those
# that leave early buy big.
LARGE_YEAR_MEDIAN = 1_100.0
SMALL_BUDGET_MEDIAN = 2_000.0
CUSTOMER_SPREAD = (0.3, 0.5)  # lognormal sigma of a customer's spend level: large, small
PURCHASE_SPREAD = 0.45  # lognormal sigma of one purchase around the customer's typical amount
# A small customer's expected yearly spend stays below the Gold bound (1,000), each under a cap
# of its own so that no spike shows at the bound: Gold/Platinum is the enterprise structure.
SMALL_YEAR_CAP = (250.0, 700.0)
# After its last purchase a customer that dropped out still logs in and writes for a while.
AFTERGLOW_DAYS = 25.0
# A small buyer's first purchase is its set-up: uniform in this range, whatever it spends later.
SMALL_FIRST_PURCHASE = (100.0, 300.0)
# Some small buyers start with an onboarding burst: a few add-on purchases in the first weeks
# after the set-up (share of small buyers, extra purchases, days). Two years on they leave the
# RFM window together, so those customers' frequency score falls by two points in one month:
# the seeds' "frequency_score drop > 1 point" trigger has real cases to catch.
ONBOARDING_BURST = (0.25, (2, 5), 14)
# A small customer who never buys uses the product for a trial of about this many days.
TRIAL_DAYS = 90.0
PURCHASE_TYPES = {  # renewal, expansion, one_time; "new" marks a first purchase after sign-up
    "large": (0.5, 0.3, 0.2),
    "small": (0.35, 0.1, 0.55),
}
TYPE_WEIGHT = np.array([2.0, 1.0, 1.6, 0.7, 0.0])  # amount factor per TRANSACTION_TYPES entry
REFUND_SHARE = 0.031  # of purchases; about 3% of all transactions
REFUND_PART = (0.4, 1.0)  # share of the purchase given back

# Activity: a thin base rate per engaged day (large accounts, small buyers; small non-buyers'
# own rate), and bursts of use in the days after each purchase (mean events per purchase: large,
# small), so a customer that buys rarely is quiet for long stretches.
BASE_ACTIVITY = (0.02, 0.012)
BROWSING_RATE = 0.07
EVENTS_AFTER_PURCHASE = (6.0, 3.0)
USE_AFTER_PURCHASE_DAYS = 45
EVENT_TYPE_MIX = {"large": (0.35, 0.35, 0.12, 0.18), "small": (0.5, 0.35, 0.02, 0.13)}
# Channel mix per event type, rows in EVENT_TYPES order, columns in CHANNELS order.
CHANNEL_MIX = np.array(
    [
        [0.6, 0.4, 0.0, 0.0, 0.0],
        [0.55, 0.45, 0.0, 0.0, 0.0],
        [0.3, 0.0, 0.0, 0.35, 0.35],
        [0.0, 0.0, 1.0, 0.0, 0.0],
    ]
)

# Funnel: probability of each stage (marketing, sales, support) for buyers and non-buyers.
STAGE_SHARE = {"buyer": (0.85, 0.8, 0.6), "browser": (0.85, 0.35, 0.15)}
EXTRA_TOUCHES = 0.6  # Poisson mean of further touches in a stage after the first
OUT_OF_ORDER_SHARE = 0.04  # sales touched before marketing
STAGE_GAP_DAYS = (9.0, 6.0)  # median days marketing -> sales and sales -> support

# Support tickets per engaged day: large, small buyer, small non-buyer.
TICKET_RATE = (0.025, 0.006, 0.003)
PRIORITY_MIX = (0.25, 0.5, 0.18, 0.07)
OPEN_SHARE = 0.05
NO_SURVEY_SHARE = 0.05  # resolved tickets without a CSAT answer
CSAT_MIX = (0.04, 0.08, 0.22, 0.36, 0.30)
RESOLUTION_MEDIAN_HOURS = 18.0

# --- Customer attributes ----------------------------------------------------------------------
NULL_SHARE = {"industry": 0.03, "region": 0.02, "country_code": 0.03, "employee_count": 0.04}
INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Logistics",
    "Media",
    "Energy",
    "Public Sector",
    "Professional Services",
    "Telecommunications",
)
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
COUNTRIES = (  # (ISO 3166 alpha-2, region index, weight)
    ("US", 0, 29),
    ("CA", 0, 5),
    ("MX", 0, 2),
    ("GB", 1, 10),
    ("DE", 1, 8),
    ("FR", 1, 6),
    ("NL", 1, 4),
    ("ES", 1, 3),
    ("IT", 1, 3),
    ("SE", 1, 2),
    ("IE", 1, 2),
    ("PL", 1, 2),
    ("ZA", 1, 1),
    ("AE", 1, 1),
    ("AU", 2, 4),
    ("JP", 2, 4),
    ("SG", 2, 3),
    ("IN", 2, 4),
    ("NZ", 2, 1),
    ("BR", 3, 3),
    ("AR", 3, 1),
    ("CL", 3, 1),
    ("CO", 3, 1),
)
NAME_FIRST = (
    "Northwind", "Blue Harbor", "Summit", "Redwood", "Apex", "Silverline", "Granite",
    "Brightpath", "Ironbridge", "Lakeside", "Evergreen", "Sterling", "Pioneer", "Crescent",
    "Horizon", "Oakridge", "Cobalt", "Meridian", "Keystone", "Riverstone", "Bluepeak", "Maple",
    "Falcon", "Vantage", "Orchard", "Beacon", "Cedar", "Atlas", "Nimbus", "Juniper",
)  # fmt: skip
NAME_SECOND = (
    "Analytics", "Logistics", "Health", "Foods", "Systems", "Labs", "Capital", "Partners",
    "Retail", "Energy", "Media", "Robotics", "Studios", "Works", "Networks", "Solutions",
    "Supply", "Learning", "Finance", "Outdoors",
)  # fmt: skip
NAME_SUFFIX = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Co", "Corp", "AG", "SA", "Pty Ltd")
OWNER_FIRST = (
    "Avery", "Jordan", "Priya", "Mateo", "Hannah", "Kenji", "Amara", "Lucas", "Sofia", "Noah",
    "Ingrid", "Omar", "Chloe", "Ravi", "Elena", "Tomas", "Grace", "Yusuf", "Mei", "Daniel",
    "Fatima", "Liam", "Zoe", "Arjun", "Nora", "Felix", "Aisha", "Owen", "Leila", "Marcus",
)  # fmt: skip
OWNER_LAST = (
    "Chen", "Okafor", "Schmidt", "Garcia", "Nakamura", "Patel", "Johansson", "Rossi", "Dubois",
    "Kowalski", "Murphy", "Silva", "Haddad", "Kim", "Novak", "Andersen", "Mensah", "Costa",
    "Fischer", "Walsh", "Ito", "Moreau", "Singh", "Lopez", "Brennan", "Ahmed", "Berg", "Tanaka",
)  # fmt: skip
TEAM_MIX = (0.3, 0.45, 0.25)
