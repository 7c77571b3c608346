#!/usr/bin/python3
"""MDES field-level encryption done by an independent implementation
(Debian's python3-cryptography), for dwt's known-answer tests.

Run it with Debian's interpreter, /usr/bin/python3, which sees Debian's
python3 packages (scripts/install-deps.sh installs python3-cryptography).

  fle_vectors.py generate --repo DIR > tests/networks/vectors/fle_vectors.json
      Encrypts the known card data to config/dev/mdes-issuer-fle.pub.pem
      with every key wrap (OAEP-SHA256, OAEP-SHA512, PKCS#1 v1.5) and AES
      key size, with and without an IV, and computes the key's and the test
      certificate's fingerprints. The output is committed.
  fle_vectors.py check --repo DIR --vectors FILE
      Re-checks the committed vectors independently of dwt: decrypts each
      with the private key and compares with its plaintext; recomputes the
      fingerprints. Exit 0 when all agree.
  fle_vectors.py encrypt --pub PEM --wrap SHA256|SHA512|PKCS1 --aes-bits N [--no-iv]
      Reads the plaintext from stdin, prints one FLE object as JSON.
  fle_vectors.py decrypt --key PEM
      Reads one FLE object (JSON) from stdin, prints the plaintext as hex.
  fle_vectors.py fingerprints --pub PEM [--cert PEM]
      Prints the SHA-256 / SHA-1 fingerprints as JSON.

The FLE object: {publicKeyFingerprint, encryptedKey, oaepHashingAlgorithm,
iv, encryptedData}, all hex; the AES key wrapped with RSA-OAEP (the named
hash, MGF1 with the same) or PKCS#1 v1.5 when oaepHashingAlgorithm is
absent; AES-CBC with PKCS#7 padding; a missing iv means 16 zero bytes.
"""

import argparse
import json
import os
import sys

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, padding, serialization
    from cryptography.hazmat.primitives.asymmetric import padding as asym
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError as e:  # the C++ tests show this message when they fail
    sys.stderr.write(
        "fle_vectors.py: the 'cryptography' module is missing (%s); install Debian's "
        "python3-cryptography (scripts/install-deps.sh) and run /usr/bin/python3\n" % e)
    sys.exit(3)

CARD_INFO = (
    '{"accountNumber":"5555555555554444","expiryMonth":"09","expiryYear":"29",'
    '"source":"CARD_ADDED_MANUALLY","cardholderName":"Jane Q. Public",'
    '"securityCode":"123","dataValidUntilTimestamp":"2030-01-01T00:00:00.000Z",'
    '"billingAddress":{"line1":"1 Main Street","line2":"Apt 2","city":"Springfield",'
    '"countrySubdivision":"IL","postalCode":"62701","country":"USA"},'
    '"futureField":{"added":"by a later MDES version"}}'
)


def sha(data, algorithm):
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize().hex()


def spki_der(public_key):
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprints(public_key, cert=None):
    der = spki_der(public_key)
    out = {"spkiSha256": sha(der, hashes.SHA256()), "spkiSha1": sha(der, hashes.SHA1())}
    if cert is not None:
        cder = cert.public_bytes(serialization.Encoding.DER)
        out["certificateSha256"] = sha(cder, hashes.SHA256())
        out["certificateSha1"] = sha(cder, hashes.SHA1())
    return out


def key_padding(wrap):
    if wrap == "PKCS1":
        return asym.PKCS1v15()
    algorithm = {"SHA256": hashes.SHA256(), "SHA512": hashes.SHA512()}[wrap.upper()]
    return asym.OAEP(mgf=asym.MGF1(algorithm=algorithm), algorithm=algorithm, label=None)


def encrypt(public_key, plaintext, wrap, aes_bits, with_iv):
    aes_key = os.urandom(aes_bits // 8)
    iv = os.urandom(16) if with_iv else bytes(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    data = encryptor.update(padded) + encryptor.finalize()
    obj = {
        "publicKeyFingerprint": fingerprints(public_key)["spkiSha256"],
        "encryptedKey": public_key.encrypt(aes_key, key_padding(wrap)).hex(),
        "encryptedData": data.hex(),
    }
    if wrap != "PKCS1":
        obj["oaepHashingAlgorithm"] = wrap
    if with_iv:
        obj["iv"] = iv.hex()
    return obj


def decrypt(private_key, obj):
    wrap = obj.get("oaepHashingAlgorithm", "PKCS1")
    aes_key = private_key.decrypt(bytes.fromhex(obj["encryptedKey"]), key_padding(wrap))
    iv = bytes.fromhex(obj["iv"]) if "iv" in obj else bytes(16)
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(bytes.fromhex(obj["encryptedData"])) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def load_public(path):
    with open(path, "rb") as f:
        return serialization.load_pem_public_key(f.read())


def load_private(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def load_cert(path):
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def paths(repo):
    return (os.path.join(repo, "config/dev/mdes-issuer-fle.pub.pem"),
            os.path.join(repo, "config/dev/mdes-issuer-fle.key.pem"),
            os.path.join(repo, "tests/networks/vectors/mdes-issuer-fle.cert.pem"))


def generate(repo):
    pub_path, _, cert_path = paths(repo)
    public_key = load_public(pub_path)
    vectors = []
    for wrap in ("SHA256", "SHA512", "PKCS1"):
        for aes_bits in (128, 192, 256):
            for with_iv in (True, False):
                name = "%s-aes%d-%s" % (wrap, aes_bits, "iv" if with_iv else "zero-iv")
                vectors.append({"name": name, "plaintext": CARD_INFO,
                                "fle": encrypt(public_key, CARD_INFO.encode(), wrap, aes_bits,
                                               with_iv)})
    # A plaintext that is a whole number of blocks (a full padding block).
    block = "0123456789abcdef" * 4
    vectors.append({"name": "SHA256-aes256-full-padding-block", "plaintext": block,
                    "fle": encrypt(public_key, block.encode(), "SHA256", 256, True)})
    out = {"generator": "tests/networks/vectors/fle_vectors.py (python3-cryptography)",
           "fingerprints": fingerprints(public_key, load_cert(cert_path)),
           "vectors": vectors}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


def check(repo, vectors_path):
    pub_path, key_path, cert_path = paths(repo)
    with open(vectors_path) as f:
        data = json.load(f)
    private_key = load_private(key_path)
    failures = []
    if data["fingerprints"] != fingerprints(load_public(pub_path), load_cert(cert_path)):
        failures.append("fingerprints differ from the keys in config/dev")
    for v in data["vectors"]:
        try:
            if decrypt(private_key, v["fle"]) != v["plaintext"].encode():
                failures.append(v["name"] + ": plaintext differs")
        except Exception as e:  # any failure is a broken vector
            failures.append("%s: %s" % (v["name"], e))
    if len(data["vectors"]) < 19:
        failures.append("fewer vectors than generated")
    for f in failures:
        sys.stderr.write("fle_vectors.py check: %s\n" % f)
    print("fle_vectors.py check: %d vectors, %s" % (len(data["vectors"]),
                                                     "FAILED" if failures else "ok"))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--repo", required=True)
    c = sub.add_parser("check")
    c.add_argument("--repo", required=True)
    c.add_argument("--vectors", required=True)
    e = sub.add_parser("encrypt")
    e.add_argument("--pub", required=True)
    e.add_argument("--wrap", required=True, choices=["SHA256", "SHA512", "PKCS1"])
    e.add_argument("--aes-bits", type=int, default=256, choices=[128, 192, 256])
    e.add_argument("--no-iv", action="store_true")
    d = sub.add_parser("decrypt")
    d.add_argument("--key", required=True)
    fp = sub.add_parser("fingerprints")
    fp.add_argument("--pub", required=True)
    fp.add_argument("--cert")
    args = parser.parse_args()

    if args.command == "generate":
        generate(args.repo)
        return 0
    if args.command == "check":
        return check(args.repo, args.vectors)
    if args.command == "encrypt":
        obj = encrypt(load_public(args.pub), sys.stdin.buffer.read(), args.wrap, args.aes_bits,
                      not args.no_iv)
        json.dump(obj, sys.stdout)
        return 0
    if args.command == "decrypt":
        print(decrypt(load_private(args.key), json.load(sys.stdin)).hex())
        return 0
    if args.command == "fingerprints":
        cert = load_cert(args.cert) if args.cert else None
        json.dump(fingerprints(load_public(args.pub), cert), sys.stdout)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
