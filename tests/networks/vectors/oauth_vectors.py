#!/usr/bin/python3
"""OAuth 1.0a RSA-SHA256 signing with Mastercard's body hash, done by an
independent implementation (Debian's python3-oauthlib, with python3-jwt and
python3-cryptography under it), for dwt's known-answer tests.

oauthlib's Client computes oauth_body_hash with SHA-1, as the body hash
draft says; Mastercard uses SHA-256. So the body hash is hashlib's SHA-256,
and everything else is oauthlib's: the query's parameters
(signature.collect_parameters), their normalisation
(signature.normalize_parameters), the base string URI
(signature.base_string_uri), the base string (signature.signature_base_string),
the RSA-SHA256 signature (signature.sign_rsa_sha256_with_client), the header
(parameters.prepare_headers) and its parsing (utils.parse_authorization_header),
and verification (signature.verify_rsa_sha256).

Run it with Debian's interpreter, /usr/bin/python3.

  oauth_vectors.py generate --repo DIR > tests/networks/vectors/oauth_vectors.json
      Signs the cases below with config/dev/mdes-oauth.key.pem. Committed.
  oauth_vectors.py check --repo DIR --vectors FILE
      Re-signs every committed case and compares (RSA PKCS#1 v1.5 is
      deterministic), and verifies each header with the public key.
  oauth_vectors.py sign --key PEM
      Reads one case (JSON: method, url, body, consumerKey, nonce,
      timestamp) from stdin, prints {baseString, signature, authorization}.
  oauth_vectors.py verify --pub PEM
      Reads {method, url, body, authorization} from stdin; exit 0 and "ok"
      when the header verifies (body hash and signature), else exit 1.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
from urllib.parse import urlparse

try:
    import jwt  # noqa: F401  (oauthlib's RSA methods need it)
    from cryptography.hazmat.primitives import serialization  # noqa: F401
    from oauthlib.common import Request
    from oauthlib.oauth1 import Client, SIGNATURE_RSA_SHA256
    from oauthlib.oauth1.rfc5849 import parameters, signature, utils
except ImportError as e:  # the C++ tests show this message when they fail
    sys.stderr.write(
        "oauth_vectors.py: a module is missing (%s); install Debian's python3-oauthlib, "
        "python3-jwt and python3-cryptography (scripts/install-deps.sh) and run "
        "/usr/bin/python3\n" % e)
    sys.exit(3)

CASES = [
    {"name": "suspend", "method": "POST",
     "url": "https://api.mastercard.example/mdes/csapi/v2/token/suspend?Format=JSON",
     "body": '{"TokenSuspendRequest":{"TokenUniqueReference":"DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45",'
             '"CommentText":"Suspended by the issuer","ReasonCode":"SUSPECTED_FRAUD",'
             '"AuditInfo":{"UserId":"dwt","UserName":"dwt","Organization":"Issuer"}}}',
     "consumerKey": "L5BsiPgaF-O3qA36znUATgQXwJB6MRoMSdhjd7wt50c97279!50596e52466e3966546d434b7354584c4975693238513d3d",
     "nonce": "f3a1c2d4e5b6978812345678abcdef01", "timestamp": 1765130400},
    {"name": "loopback-port-and-case", "method": "post",
     "url": "HTTP://127.0.0.1:8082/mdes/csapi/v2/token/delete?Format=JSON",
     "body": '{"TokenDeleteRequest":{"TokenUniqueReference":"T1","ReasonCode":"OTHER"}}',
     "consumerKey": "dev-consumer-key", "nonce": "0123456789abcdef0123456789abcdef",
     "timestamp": 1765130401},
    {"name": "default-port-dropped", "method": "POST",
     "url": "https://Example.COM:443/mdes/csapi/v2/token/unsuspend?Format=JSON",
     "body": "", "consumerKey": "key with space & symbols=+/~", "nonce": "n-1.2_3~",
     "timestamp": 1},
    {"name": "query-sorting-and-encoding", "method": "POST",
     "url": "http://example.com:80/a/b%20c/d?b=2&a=3&a=1&c=x+y&d=%7E%21&e=&Format=JSON",
     "body": '{"k":"v\\u00e9 \\"quoted\\""}', "consumerKey": "ck", "nonce": "abc",
     "timestamp": 1765130402},
    {"name": "utf8-body", "method": "PUT",
     "url": "https://example.com:8443",
     "body": "caf\u00e9 \u2603 body", "consumerKey": "ck2", "nonce": "zz",
     "timestamp": 4102444800},
]


def body_hash(body):
    return base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")


def oauth_params(case):
    return [
        ("oauth_nonce", case["nonce"]),
        ("oauth_timestamp", str(case["timestamp"])),
        ("oauth_version", "1.0"),
        ("oauth_signature_method", "RSA-SHA256"),
        ("oauth_consumer_key", case["consumerKey"]),
        ("oauth_body_hash", body_hash(case["body"])),
    ]


def base_string(method, url, params):
    query = urlparse(url).query
    collected = signature.collect_parameters(uri_query=query, exclude_oauth_signature=True)
    collected += [p for p in params if p[0] != "oauth_signature"]
    return signature.signature_base_string(
        method, signature.base_string_uri(url), signature.normalize_parameters(collected))


def sign(case, key_pem):
    params = oauth_params(case)
    base = base_string(case["method"], case["url"], params)
    client = Client(case["consumerKey"], signature_method=SIGNATURE_RSA_SHA256, rsa_key=key_pem)
    sig = signature.sign_rsa_sha256_with_client(base, client)
    headers = parameters.prepare_headers(params + [("oauth_signature", sig)], {})
    return {"baseString": base, "signature": sig, "authorization": headers["Authorization"]}


def verify(case, pub_pem):
    params = [(k, utils.unescape(v))
              for k, v in utils.parse_authorization_header(case["authorization"]) if k != "realm"]
    values = dict(params)
    if values.get("oauth_signature_method") != "RSA-SHA256":
        return "signature method is not RSA-SHA256"
    if values.get("oauth_body_hash") != body_hash(case["body"]):
        return "body hash mismatch"
    request = Request(case["url"], case["method"], case["body"].encode("utf-8"),
                      {"Authorization": case["authorization"]})
    request.signature = values.get("oauth_signature", "")
    query = urlparse(case["url"]).query
    request.params = signature.collect_parameters(
        uri_query=query, headers={"Authorization": case["authorization"]},
        exclude_oauth_signature=True)
    if not signature.verify_rsa_sha256(request, pub_pem):
        return "signature does not verify"
    return None


def read(path):
    with open(path, "r", encoding="ascii") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["generate", "check", "sign", "verify"])
    ap.add_argument("--repo")
    ap.add_argument("--vectors")
    ap.add_argument("--key")
    ap.add_argument("--pub")
    a = ap.parse_args()
    if a.command == "generate":
        key = read(os.path.join(a.repo, "config/dev/mdes-oauth.key.pem"))
        out = {"generator": "tests/networks/vectors/oauth_vectors.py (python3-oauthlib)",
               "key": "config/dev/mdes-oauth.key.pem", "cases": []}
        for case in CASES:
            entry = dict(case)
            entry.update(sign(case, key))
            out["cases"].append(entry)
        json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
        sys.stdout.write("\n")
    elif a.command == "check":
        key = read(os.path.join(a.repo, "config/dev/mdes-oauth.key.pem"))
        pub = read(os.path.join(a.repo, "config/dev/mdes-oauth.pub.pem"))
        with open(a.vectors, "r", encoding="utf-8") as f:
            vectors = json.load(f)
        failures = 0
        for entry in vectors["cases"]:
            again = sign(entry, key)
            for field in ("baseString", "signature", "authorization"):
                if again[field] != entry[field]:
                    print("%s: %s differs" % (entry["name"], field))
                    failures += 1
            problem = verify(entry, pub)
            if problem:
                print("%s: %s" % (entry["name"], problem))
                failures += 1
        print("%d cases, %d failures" % (len(vectors["cases"]), failures))
        sys.exit(1 if failures or not vectors["cases"] else 0)
    elif a.command == "sign":
        print(json.dumps(sign(json.load(sys.stdin), read(a.key))))
    else:
        problem = verify(json.load(sys.stdin), read(a.pub))
        print(problem or "ok")
        sys.exit(1 if problem else 0)


if __name__ == "__main__":
    main()
