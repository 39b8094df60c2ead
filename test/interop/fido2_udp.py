#!/usr/bin/env python3
"""Drives a fido-harness simulator over UDP with Yubico's python-fido2 (Debian's python3-fido2).

Each datagram is one raw 64-byte CTAPHID report (docs/simulator.md, "UDP device protocol"); python-fido2's
own CtapHidDevice does the framing through the CtapHidConnection below. Steps: getInfo, reset, set PIN,
makeCredential (rk, hmac-secret, PIN/UV auth protocol 2) with packed attestation verified, getAssertion with
the signature verified, hmac-secret (stable per salt, different without UV), credential management
(metadata, enumerate RPs and credentials, delete), bio enrollment with FPBioEnrollment (enroll, name, UV by
the enrolled finger, another finger refused, remove; CTAP 2.1 §6.7), user fields with one and two accounts (CTAP 2.1 §6.2.2),
the power-cycle datagram then the same channel, reset refused 10 s after power-up (CTAP 2.1 §6.6), CTAP1/U2F
register/authenticate verified, reset after a power cycle.

Usage: fido2_udp.py HOST:PORT        Prints one line per step; exit 0 when every step passed.
"""
import os
import sys
import time

from fido2.attestation import Attestation
from fido2.cose import CoseKey
from fido2.ctap import CtapError
from fido2.ctap1 import Ctap1
from fido2.ctap2 import ClientPin, CredentialManagement, Ctap2, PinProtocolV2
from fido2.ctap2.bio import BioEnrollment, FPBioEnrollment
from fido2.ctap2.extensions import HmacSecretExtension
from udp_hid import POWER_CYCLE, open_device
from script_steps import check, sha256, step

PIN = "4321"
RP = {"id": "example.com", "name": "Example"}
USER = {"id": b"user-0001", "name": "alice", "displayName": "Alice"}
ES256 = [{"type": "public-key", "alg": -7}]
# The datagram that puts one finger on the simulator's sensor (docs/simulator.md, "Fingerprint sensor").
FINGER_PREFIX = bytes.fromhex("f1d0f1d0a7c35e2b9d1e4f60b8a2c7e3395d6a1e0c4b7f28a6e9d3c1b5f7a0e2")


def finger_datagram(name):
    body = name.encode("utf-8")
    return (FINGER_PREFIX + bytes([1, len(body)]) + body).ljust(64, b"\0")


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    dev = open_device(host, int(port))
    check(dev.ping(b"interop") == b"interop", "PING echoed")
    step("CTAPHID INIT and PING (capabilities 0x%02x)" % dev.capabilities)

    ctap = Ctap2(dev)  # strict_cbor: responses must be canonical CBOR
    info = ctap.info
    check("FIDO_2_1" in info.versions and "U2F_V2" in info.versions, "versions %r" % info.versions)
    check(bytes(info.aaguid) != bytes(16), "AAGUID is not zero")
    check(2 in info.pin_uv_protocols, "PIN/UV auth protocol 2 offered")
    check("hmac-secret" in info.extensions, "hmac-secret offered")
    check(info.options.get("rk") is True, "rk offered")
    check(info.options.get("credMgmt") is True or info.options.get("credentialMgmtPreview") is True, "credMgmt offered")
    step("getInfo versions=%s aaguid=%s" % (",".join(info.versions), bytes(info.aaguid).hex()))

    ctap.reset()
    ctap = Ctap2(dev)
    check(ctap.info.options.get("clientPin") is False, "no PIN after reset")
    step("reset (fresh state)")

    protocol = PinProtocolV2()
    client_pin = ClientPin(ctap, protocol)
    client_pin.set_pin(PIN)
    ctap = Ctap2(dev)
    check(ctap.info.options.get("clientPin") is True, "clientPin true after setPIN")
    retries = client_pin.get_pin_retries()[0]
    check(retries == 8, "8 PIN retries, got %r" % retries)
    try:
        client_pin.get_pin_token("0000", ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
        raise AssertionError("wrong PIN accepted")
    except CtapError as e:
        check(e.code == CtapError.ERR.PIN_INVALID, "wrong PIN -> PIN_INVALID, got %r" % e.code)
    check(client_pin.get_pin_retries()[0] == 7, "a wrong PIN lowers the retries to 7")
    step("setPIN, getPINRetries, wrong PIN -> CTAP2_ERR_PIN_INVALID")

    # makeCredential: rk, hmac-secret, PIN/UV auth protocol 2
    token = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    cdh = sha256(b"interop makeCredential")
    att = ctap.make_credential(
        cdh, RP, USER, ES256,
        extensions={"hmac-secret": True},
        options={"rk": True},
        pin_uv_param=protocol.authenticate(token, cdh),
        pin_uv_protocol=protocol.VERSION,
    )
    check(att.fmt == "packed", "packed attestation")
    Attestation.for_type(att.fmt)().verify(att.att_statement, att.auth_data, cdh)
    ad = att.auth_data
    check(ad.is_user_present() and ad.is_user_verified(), "UP and UV flags")
    check(ad.rp_id_hash == sha256(RP["id"].encode()), "rpIdHash")
    check(ad.extensions.get("hmac-secret") is True, "hmac-secret created")
    check(bytes(ad.credential_data.aaguid) == bytes(info.aaguid), "attested AAGUID == getInfo AAGUID")
    cred_id = ad.credential_data.credential_id
    public_key = ad.credential_data.public_key
    step("makeCredential rk + hmac-secret + PIN protocol 2, packed attestation verified (x5c %d certs)" % len(att.att_statement["x5c"]))

    # getAssertion without allowList (discoverable), with UV
    token = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    cdh = sha256(b"interop getAssertion")
    assertion = ctap.get_assertion(
        RP["id"], cdh, pin_uv_param=protocol.authenticate(token, cdh), pin_uv_protocol=protocol.VERSION
    )
    assertion.verify(cdh, public_key)
    check(assertion.credential["id"] == cred_id, "the discoverable credential")
    check(assertion.user["id"] == USER["id"], "user.id returned")
    check(assertion.auth_data.is_user_verified(), "UV flag")
    check(assertion.auth_data.counter > ad.counter, "counter increased")
    step("getAssertion (discoverable, UV) signature verified, counter %d -> %d" % (ad.counter, assertion.auth_data.counter))

    # hmac-secret: stable per salt with UV, different without UV
    salt = sha256(b"interop salt")

    def hmac(uv):
        ext = HmacSecretExtension(ctap, PinProtocolV2())
        ext_input = ext.process_get_input({"hmacGetSecret": {"salt1": salt}})
        cdh = sha256(os.urandom(16))
        kwargs = {}
        if uv:
            tok = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
            kwargs = {"pin_uv_param": protocol.authenticate(tok, cdh), "pin_uv_protocol": protocol.VERSION}
        res = ctap.get_assertion(
            RP["id"], cdh, allow_list=[{"type": "public-key", "id": cred_id}],
            extensions={"hmac-secret": ext_input}, **kwargs
        )
        res.verify(cdh, public_key)
        return ext.process_get_output(res.auth_data)["hmacGetSecret"]["output1"]

    with_uv_1, with_uv_2, without_uv = hmac(True), hmac(True), hmac(False)
    check(len(with_uv_1) == 32, "32-byte output")
    check(with_uv_1 == with_uv_2, "hmac-secret stable for the same salt")
    check(with_uv_1 != without_uv, "hmac-secret differs with and without UV")
    step("hmac-secret: stable per salt (%s...), different without UV" % with_uv_1.hex()[:16])

    # credential management
    token = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT)
    cm = CredentialManagement(ctap, protocol, token)
    meta = cm.get_metadata()
    check(meta[CredentialManagement.RESULT.EXISTING_CRED_COUNT] == 1, "one discoverable credential")
    rps = cm.enumerate_rps()
    check(len(rps) == 1 and rps[0][CredentialManagement.RESULT.RP]["id"] == RP["id"], "RP enumerated")
    rp_hash = rps[0][CredentialManagement.RESULT.RP_ID_HASH]
    creds = cm.enumerate_creds(rp_hash)
    check(len(creds) == 1, "one credential enumerated")
    check(creds[0][CredentialManagement.RESULT.CREDENTIAL_ID]["id"] == cred_id, "credential ID")
    check(creds[0][CredentialManagement.RESULT.USER]["id"] == USER["id"], "user.id")
    cm.delete_cred({"type": "public-key", "id": cred_id})
    check(cm.get_metadata()[CredentialManagement.RESULT.EXISTING_CRED_COUNT] == 0, "deleted")
    step("credential management: metadata, enumerate RPs and credentials, delete")

    try:
        ctap.get_assertion(RP["id"], sha256(b"after delete"))
        raise AssertionError("deleted credential still found")
    except CtapError as e:
        check(e.code == CtapError.ERR.NO_CREDENTIALS, "NO_CREDENTIALS after delete, got %r" % e.code)
    step("getAssertion after delete -> CTAP2_ERR_NO_CREDENTIALS")

    # bio enrollment (CTAP 2.1 §6.7) with python-fido2's FPBioEnrollment, then UV by fingerprint (§6.5.5.7.3)
    token = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.BIO_ENROLL)
    bio = FPBioEnrollment(ctap, protocol, token)
    sensor = bio.get_fingerprint_sensor_info()
    needed = sensor[BioEnrollment.RESULT.MAX_SAMPLES_REQUIRED]
    check(bio.enumerate_enrollments() == {}, "no enrollment yet")
    enrolling = bio.enroll(timeout=5000)
    template_id, samples = None, 0
    while template_id is None and samples < 3 * needed:
        template_id = enrolling.capture()
        samples += 1
    check(template_id is not None and samples == needed, "enrolled in %d samples (sensor says %d)" % (samples, needed))
    bio.set_name(template_id, "right index")
    check(bio.enumerate_enrollments() == {template_id: "right index"}, "enrollment listed with its name")
    options = ctap.get_info().options
    check(options.get("bioEnroll") is True and options.get("uv") is True, "getInfo bioEnroll and uv true after enrollment")
    uv_token = client_pin.get_uv_token(ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    check(len(uv_token) == 32, "UV token by the enrolled finger")
    conn = dev._connection
    conn.sock.sendto(finger_datagram("left-little"), conn.addr)
    time.sleep(0.05)
    try:
        client_pin.get_uv_token(ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
        raise AssertionError("a finger that is not enrolled got a UV token")
    except CtapError as e:
        check(e.code == CtapError.ERR.UV_INVALID, "UV_INVALID for another finger, got %r" % e.code)
    token = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.BIO_ENROLL)
    bio = FPBioEnrollment(ctap, protocol, token)
    bio.remove_enrollment(template_id)
    check(bio.enumerate_enrollments() == {}, "enrollment removed")
    check(ctap.get_info().options.get("bioEnroll") is False, "getInfo bioEnroll false again")
    step("bio enrollment (FPBioEnrollment): enroll in %d samples, name, UV by finger, wrong finger -> UV_INVALID, remove" % samples)

    # user fields (CTAP 2.1 §6.2.2): one account -> id only; several -> id, name, displayName
    rp2 = {"id": "accounts.example", "name": "Accounts"}
    users = [
        {"id": b"user-a", "name": "alice@accounts.example", "displayName": "Alice A"},
        {"id": b"user-b", "name": "bob@accounts.example", "displayName": "Bob B"},
    ]

    def make_rk(user):
        tok = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, rp2["id"])
        cdh = sha256(os.urandom(16))
        ctap.make_credential(cdh, rp2, user, ES256, options={"rk": True},
                             pin_uv_param=protocol.authenticate(tok, cdh), pin_uv_protocol=protocol.VERSION)

    def assert_uv():
        tok = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, rp2["id"])
        cdh = sha256(os.urandom(16))
        return ctap.get_assertion(rp2["id"], cdh, pin_uv_param=protocol.authenticate(tok, cdh),
                                  pin_uv_protocol=protocol.VERSION)

    make_rk(users[0])
    one = assert_uv()
    check(one.number_of_credentials is None, "one account: no numberOfCredentials")
    check(set(one.user.keys()) == {"id"}, "one account: user has id only, got %r" % sorted(one.user.keys()))
    make_rk(users[1])
    two = assert_uv()
    check(two.number_of_credentials == 2, "two accounts: numberOfCredentials 2, got %r" % two.number_of_credentials)
    nxt = ctap.get_next_assertion()
    got = {two.user["id"]: two.user, nxt.user["id"]: nxt.user}
    for u in users:
        check(got[u["id"]].get("name") == u["name"] and got[u["id"]].get("displayName") == u["displayName"],
              "two accounts: name and displayName of %r, got %r" % (u["id"], got[u["id"]]))
    step("user fields: one account -> id only; two accounts -> id, name, displayName")

    # power cycle, then the same channel: volatile state gone, channel and persistent state kept
    cid = dev._channel_id
    stale = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, rp2["id"])
    conn = dev._connection
    conn.sock.sendto(POWER_CYCLE, conn.addr)
    powered_up = time.monotonic()
    time.sleep(0.1)
    check(dev.ping(b"after power cycle") == b"after power cycle", "PING on the old channel")
    check(dev._channel_id == cid, "same channel id")
    ctap = Ctap2(dev)
    check(ctap.info.options.get("clientPin") is True, "PIN kept across the power cycle")
    cdh = sha256(b"stale token")
    try:
        ctap.get_assertion(rp2["id"], cdh, pin_uv_param=protocol.authenticate(stale, cdh),
                           pin_uv_protocol=protocol.VERSION)
        raise AssertionError("a pinUvAuthToken survived the power cycle")
    except CtapError as e:
        check(e.code == CtapError.ERR.PIN_AUTH_INVALID, "stale token -> PIN_AUTH_INVALID, got %r" % e.code)
    client_pin = ClientPin(ctap, protocol)
    check(client_pin.get_pin_retries()[0] == 8, "PIN retries kept (8)")
    check(len(assert_uv().signature) > 0, "a new token works")
    step("power cycle, then the same channel 0x%08x: token gone, PIN and credentials kept" % cid)

    # reset window (CTAP 2.1 §6.6): refused 10 s after power-up
    time.sleep(max(0.0, 10.5 - (time.monotonic() - powered_up)))
    try:
        ctap.reset()
        raise AssertionError("reset accepted 10 s after power-up")
    except CtapError as e:
        check(e.code == CtapError.ERR.NOT_ALLOWED, "late reset -> NOT_ALLOWED, got %r" % e.code)
    check(Ctap2(dev).info.options.get("clientPin") is True, "nothing was reset")
    step("reset 10 s after power-up -> CTAP2_ERR_NOT_ALLOWED")

    # CTAP1/U2F over CTAPHID_MSG
    ctap1 = Ctap1(dev)
    check(ctap1.get_version() == "U2F_V2", "U2F version")
    app, chal = sha256(b"https://u2f.example.com"), sha256(b"u2f challenge")
    reg = ctap1.register(chal, app)
    reg.verify(app, chal)
    sig = ctap1.authenticate(chal, app, reg.key_handle)
    sig.verify(app, chal, reg.public_key)
    step("U2F register (attestation verified) and authenticate (signature verified, counter %d)" % sig.counter)

    conn.sock.sendto(POWER_CYCLE, conn.addr)
    time.sleep(0.1)
    ctap.reset()
    ctap = Ctap2(dev)
    check(ctap.info.options.get("clientPin") is False, "PIN gone after reset")
    try:
        ctap1.authenticate(chal, app, reg.key_handle, check_only=True)
        raise AssertionError("U2F key handle survived reset")
    except Exception as e:  # ApduError(0x6A80)
        check(getattr(e, "code", None) == 0x6A80, "key handle refused after reset, got %r" % e)
    step("reset after a power cycle: PIN and credentials gone")
    dev.close()
    print("PASS", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one clear line for the calling test
        print("FAIL %s: %s" % (type(e).__name__, e), flush=True)
        sys.exit(1)
