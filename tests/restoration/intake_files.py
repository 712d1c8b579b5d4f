"""Small intake files written in the tests themselves, as an officer would export them from billing."""

from django.core.files.uploadedfile import SimpleUploadedFile

CUSTOMERS = (
    "external_id,kind,legal_name,country_of_incorporation,headquarters_country,aliases\n"
    "B-1,entity,Acme Robotics Inc.,US,US,Acme; Acme Bots\n"
    "B-2,entity,Rhein Daten GmbH,DE,DE,\n"
    "B-3,individual,Ada Lovelace,GB,,\n"
)

SEATS = (
    "customer_external_id,external_id,given_name,family_name,location_country,citizenship,citizenship_acquired_on\n"
    "B-1,U-1,Grace,Hopper,US,US,1906-12-09\n"
    "B-1,U-2,Alan,Turing,US,GB,1912-06-23\n"
    "B-1,U-3,Nobody,Known,US,,\n"
)

OWNERSHIP = (
    "owned_external_id,owner_external_id,owner_name,percentage,verified_on,source\n"
    "B-1,B-2,,30,2026-01-15,Companies House\n"
    "B-1,,Seed Fund LP,20,2026-01-15,Cap table\n"
)

ADDRESSES = (
    "customer_external_id,kind,line1,city,postal_code,country\n"
    "B-1,registered,1 Main St,Wilmington,19801,US\n"
    "B-2,headquarters,Hauptstr. 5,Berlin,10115,DE\n"
)


def upload(text: str | bytes, name: str = "book.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")
