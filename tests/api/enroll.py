"""Enrolls a new device with an enrollment code and prints its token (for the device run of
scripts/api-properties.sh). Usage: enroll.py BASE_URL CODE"""

import json
import sys
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

base, code = sys.argv[1], sys.argv[2]
public = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
body = json.dumps({"code": code, "device_name": "schemathesis", "public_key": public.hex()})
request = urllib.request.Request(f"{base}/api/v1/devices/enroll", data=body.encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(request, timeout=10) as answer:
    print(json.load(answer)["token"])
