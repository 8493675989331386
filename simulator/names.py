"""Name tables for the demo municipality (streets, zones, people, vehicles, codes)."""

from __future__ import annotations

EW_STREETS = [
    "King St", "Duke St", "Weber St", "Charles St", "Joseph St", "Church St", "Water St",
    "Courtland Ave", "Mill St", "Bleams Rd", "Highland Rd", "Glasgow St", "Park St",
    "Lancaster St", "Margaret Ave", "Union Blvd", "Krug St", "Edna St", "Ahrens St",
    "Lawrence Ave", "Homer Watson Blvd", "Ottawa St", "Block Line Rd", "Fischer-Hallman Rd",
    "Belmont Ave", "Strange St", "Brybeck Cres", "Stirling Ave", "Cameron St", "Lydia St",
    "Pandora Ave", "Wilhelm St", "Breithaupt St", "Bruce St", "Guelph St", "Moore Ave",
    "Shanley St", "Chapel St", "Otto St", "Louisa St",
]
NS_STREETS = [
    "Victoria St", "Queen St", "Frederick St", "Scott St", "Benton St", "Cedar St",
    "Ontario St", "Young St", "College St", "Water St N", "Eby St", "Francis St", "Gaukel St",
    "Madison Ave", "Samuel St", "Irvin St", "Peter St", "Ellen St", "Pine St", "Alma St",
    "Wellington St", "Walnut St", "Hohner Ave", "Ahrens St W", "Agnes St", "Floyd St",
    "Belleview Ave", "Lancaster St W", "Stanley Ave", "Borden Ave", "Sydney St", "Mansion St",
    "Oak St", "Maple Ave", "Rockway Dr", "Palmer Ave", "Wilfred Ave", "Ahrens Ct", "Spadina Rd",
    "Guelph Ave",
]
ZONE_NAMES = [
    "Downtown Core", "Civic Centre", "Victoria Park", "Cherry Hill", "Mount Hope", "Central Frederick",
    "King East", "Midtown", "Cedar Hill", "Rockway", "Auditorium", "Bridgeport", "Forest Heights",
    "Stanley Park", "Rosemount", "Vanier", "Laurentian", "Country Hills", "Alpine", "Heritage Park",
    "Grand River", "Centreville", "Westmount", "Belmont Village",
]
SCHOOL_PREFIX = [
    "Suddaby", "King Edward", "Margaret Avenue", "Courtland Avenue", "Queen Elizabeth", "Sheppard",
    "J.F. Carmichael", "Rockway", "Westmount", "Prueter", "Smithson", "Stanley Park", "Wilson Avenue",
    "St. Mary's", "St. John", "St. Anne", "St. Teresa", "Mackenzie King", "Franklin", "Crestview",
]
FIRST_NAMES = [
    "Aaliyah", "Adam", "Aisha", "Alex", "Amir", "Ana", "Ben", "Carlos", "Chen", "Chloe", "Daniel",
    "Deepa", "Elena", "Emily", "Ethan", "Fatima", "Gabriel", "Grace", "Hannah", "Hiro", "Isabel",
    "Jacob", "James", "Jasmine", "Jean", "Karen", "Kevin", "Lena", "Liam", "Lucas", "Maria",
    "Mei", "Michael", "Mohammed", "Nadia", "Noah", "Olivia", "Omar", "Priya", "Raj", "Rosa",
    "Ryan", "Sara", "Sophie", "Tariq", "Thomas", "Uma", "Victor", "Wei", "Yusuf", "Zoe",
]
LAST_NAMES = [
    "Ahmed", "Brown", "Campbell", "Chen", "Dubois", "Fischer", "Gagnon", "Garcia", "Gill", "Hoffman",
    "Ibrahim", "Jones", "Kaur", "Khan", "Kim", "Kowalski", "Lam", "Lee", "MacDonald", "Martin",
    "Miller", "Mohamed", "Nguyen", "Patel", "Roy", "Schmidt", "Shah", "Silva", "Singh", "Smith",
    "Tremblay", "Wagner", "Walker", "Wang", "Weber", "White", "Williams", "Wilson", "Wong", "Zhang",
]
COMPANY_WORDS = ["Grand", "River", "Waterloo", "Maple", "Northfield", "Heritage", "Forest", "Union", "Victoria", "Conestoga"]
COMPANY_KINDS = ["Holdings Inc.", "Properties Ltd.", "Developments Inc.", "Realty Corp.", "Investments Ltd."]

MAKES_MODELS = [
    ("TOYOTA", "COROLLA"), ("TOYOTA", "RAV4"), ("TOYOTA", "CAMRY"), ("HONDA", "CIVIC"), ("HONDA", "CR-V"),
    ("FORD", "F-150"), ("FORD", "ESCAPE"), ("CHEVROLET", "EQUINOX"), ("CHEVROLET", "SILVERADO"),
    ("HYUNDAI", "ELANTRA"), ("HYUNDAI", "TUCSON"), ("NISSAN", "ROGUE"), ("MAZDA", "CX-5"), ("KIA", "SOUL"),
    ("VOLKSWAGEN", "JETTA"), ("SUBARU", "OUTBACK"), ("DODGE", "CARAVAN"), ("TESLA", "MODEL 3"),
    ("BMW", "X3"), ("RAM", "1500"),
]
COLOURS = ["BLACK", "WHITE", "GREY", "SILVER", "BLUE", "RED", "GREEN", "BROWN", "BEIGE", "ORANGE"]

US_STATES = ("NY", "MI", "OH", "PA", "FL", "TX", "CA", "IL", "MA", "NJ")
OTHER_PROV = ("NS", "NB", "MB", "BC", "PE", "SK", "AB", "NL")

# violation types: code, description, fine (Ontario-like AMPS schedule)
VIOLATIONS = {
    "meter_unpaid": ("PK-207", "Park - machine required fee not paid", 30.0),
    "overtime": ("PK-002", "Park longer than posted time limit", 30.0),
    "no_permit": ("PK-029", "Park prohibited time - no permit", 30.0),
    "no_parking": ("PK-005", "Park - signed highway prohibited day/time", 50.0),
    "no_stopping": ("PK-009", "Stop - signed highway prohibited time/day", 100.0),
    "rush_hour": ("PK-403", "Stop - signed highway rush hour", 150.0),
    "school_zone": ("PK-410", "Stop - school zone prohibited time", 150.0),
    "hydrant": ("PK-015", "Park within 3 m of fire hydrant", 100.0),
    "accessible": ("PK-355", "Park in accessible space - no permit", 450.0),
}
VIOLATION_TYPES = list(VIOLATIONS)

# complaint types: (request type as in the 311 data, service code, bylaw type, share weight is read from data)
COMPLAINT_TYPES = [
    # request_type, service_code, bylaw_type, priority, case_prob
    ("Property Standards", "PS-001", "property_standards", "standard", 0.85),
    ("Property Standards and Maintenance Violations", "PS-002", "property_standards", "standard", 0.85),
    ("Amplified Sound", "NS-001", "noise", "urgent", 0.6),
    ("Construction Noise", "NS-002", "noise", "standard", 0.6),
    ("Long Grass and Weeds", "LG-001", "long_grass", "low", 0.8),
    ("Zoning", "ZN-001", "zoning", "standard", 0.75),
    ("Waste", "WS-001", "waste", "standard", 0.8),
    ("Long Grass and Prohibited Plants on Private Property", "LG-002", "long_grass", "low", 0.8),
    ("Unreasonable and Persistent Noise", "NS-003", "noise", "standard", 0.6),
    ("Amplified or Musical Instrument Noise", "NS-004", "noise", "urgent", 0.6),
    ("Waste or Illegal Dumping on Private Property", "WS-002", "waste", "standard", 0.8),
    ("Zoning Regulations Violations", "ZN-002", "zoning", "standard", 0.75),
    ("Adequate Heat", "AH-001", "adequate_heat", "urgent", 0.9),
    ("Wrong Location/Time/Day", "WS-003", "waste", "low", 0.5),
    ("Moving Motor Vehicle Noise", "NS-005", "noise", "low", 0.3),
    ("Signs", "SG-001", "signs", "low", 0.7),
    ("Business Complaint", "BL-001", "business_licensing", "standard", 0.7),
    ("Amplified Sound or Instrument Sound", "NS-006", "noise", "urgent", 0.6),
    ("Graffiti", "GR-001", "graffiti", "low", 0.75),
    ("Graffiti on Private Property", "GR-002", "graffiti", "low", 0.75),
    ("Waste Set Out - Wrong Location / Time/ Day", "WS-004", "waste", "low", 0.5),
    ("Park Use", "PU-001", "parks", "low", 0.4),
    ("Public Spaces Complaint", "PU-002", "public_spaces", "low", 0.5),
    ("Animal Noise", "AN-001", "animal_control", "standard", 0.5),
]
# fallback shares if the reference CSV is not available (counts from the 311 extract)
DEFAULT_COUNTS = {
    "Property Standards": 45228, "Amplified Sound": 26109, "Construction Noise": 20123,
    "Property Standards and Maintenance Violations": 32763, "Long Grass and Weeds": 16600, "Zoning": 15434,
    "Waste": 12997, "Long Grass and Prohibited Plants on Private Property": 11689,
    "Unreasonable and Persistent Noise": 10971, "Amplified or Musical Instrument Noise": 9859,
    "Waste or Illegal Dumping on Private Property": 9790, "Zoning Regulations Violations": 9787,
    "Adequate Heat": 8320, "Wrong Location/Time/Day": 6728, "Moving Motor Vehicle Noise": 5891,
    "Signs": 5454, "Business Complaint": 5363, "Amplified Sound or Instrument Sound": 5323, "Graffiti": 5093,
    "Graffiti on Private Property": 5067, "Waste Set Out - Wrong Location / Time/ Day": 5049,
    "Park Use": 4938, "Public Spaces Complaint": 4790, "Animal Noise": 4209,
}
BYLAW_SECTIONS = {
    "property_standards": "Chapter 665 s.665.3 (Property Standards)",
    "noise": "Chapter 450 s.450.2 (Noise)",
    "long_grass": "Chapter 660 s.660.4 (Long Grass and Weeds)",
    "zoning": "By-law 2019-051 s.4.12 (Zoning)",
    "waste": "Chapter 690 s.690.5 (Lot Maintenance and Waste)",
    "adequate_heat": "Chapter 665 s.665.9 (Vital Services - Heat)",
    "signs": "Chapter 680 s.680.6 (Signs)",
    "business_licensing": "Chapter 599 s.599.3 (Business Licensing)",
    "graffiti": "Chapter 668 s.668.2 (Graffiti)",
    "parks": "Chapter 270 s.270.8 (Parks)",
    "public_spaces": "Chapter 270 s.270.3 (Public Spaces)",
    "animal_control": "Chapter 408 s.408.5 (Animals)",
}
DESCRIPTIONS = {
    "property_standards": ["Broken windows and damaged siding", "Porch railing collapsing", "Roof leaking into unit, landlord unresponsive", "Mould in basement apartment"],
    "noise": ["Loud music late at night", "Party with amplified sound", "Construction starting before 7 am", "Car stereo revving every evening"],
    "long_grass": ["Grass over 20 cm for weeks", "Yard overgrown with weeds", "Prohibited plants spreading"],
    "zoning": ["Possible illegal rooming house", "Business operating from garage", "Vehicle repair in driveway"],
    "waste": ["Garbage piled at side of house", "Illegal dumping of furniture", "Bins left at curb all week"],
    "adequate_heat": ["No heat in apartment", "Heat below 20 degrees for days", "Furnace broken, landlord not fixing"],
    "signs": ["Illegal sign on boulevard", "Oversized banner on building"],
    "business_licensing": ["Unlicensed food vendor", "Business open past permitted hours"],
    "graffiti": ["Graffiti on fence", "Tags on storefront"],
    "parks": ["Camping in park after hours", "Dogs off leash in playground"],
    "public_spaces": ["Encampment on sidewalk", "Obstruction on boulevard"],
    "animal_control": ["Dog barking for hours", "Roosters kept in backyard"],
}
FAULT_CODES = ["COIN_JAM", "CARD_READER", "PRINTER", "BATTERY_LOW", "DISPLAY", "COMMS_LOST"]
DISPUTE_GROUNDS = [
    "Paid by app, session not recognised", "Sign was obscured", "Meter was broken",
    "Vehicle was loading", "Medical emergency", "Permit displayed", "Plate misread", "",
]
