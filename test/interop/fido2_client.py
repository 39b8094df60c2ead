#!/usr/bin/env python3
"""python-fido2's high-level APIs against a fido-harness simulator, over UDP or as a card on a PC/SC reader (docs/simulator.md).

The simulator must accept authenticatorReset at any time (fido-harness sim --allow-reset-anytime): every
step starts from a reset key. Each step prints "ok  STEP" or "FAIL STEP: reason" and the run goes on; the
last line is PASS only when every step passed. Spec sections: CTAP 2.1 (Proposed Standard, 2021-06-15).

Usage: fido2_client.py HOST:PORT|pcsc:READER [STEP-NAME-PREFIX...]
"""
import os
import sys
import threading
import time
import traceback

from fido2 import cbor
from fido2.client import ClientError, Fido2Client
from fido2.ctap import CtapError
from fido2.ctap1 import APDU, ApduError, Ctap1
from fido2.ctap2 import ClientPin, CredentialManagement, Ctap2, PinProtocolV1, PinProtocolV2
from fido2.ctap2.bio import FPBioEnrollment
from fido2.ctap2.blob import LargeBlobs
from fido2.ctap2.config import Config
from fido2.ctap2.extensions import CredProtectExtension, HmacSecretExtension
from fido2.hid import CTAPHID
from udp_hid import POWER_CYCLE, open_device, send_datagram
from script_steps import check, sha256

PIN = "4321"
# CTAP 2.1 names python-fido2 0.9.1 predates (§8.2 status codes, U2F raw messages §3.3)
PUAT_REQUIRED = 0x36  # 0.9.1 calls it PIN_REQUIRED
UNAUTHORIZED_PERMISSION = 0x40
SW_INS_NOT_SUPPORTED = 0x6D00
ORIGIN = "https://example.com"
RP = {"id": "example.com", "name": "Example"}
OTHER_ORIGIN = "https://other.example.org"
OTHER_RP = {"id": "other.example.org", "name": "Other"}
ES256 = [{"type": "public-key", "alg": -7}]


def expect_ctap(code, fn, *args, **kwargs):
    """fn must fail with CtapError `code` (also when wrapped in a ClientError)."""
    try:
        fn(*args, **kwargs)
    except CtapError as e:
        check(e.code == code, "expected 0x%02x, got 0x%02x" % (code, e.code))
        return
    except ClientError as e:
        cause = e.cause
        check(isinstance(cause, CtapError) and cause.code == code, "expected 0x%02x, got %r" % (code, e))
        return
    raise AssertionError("expected 0x%02x, the call succeeded" % code)


class Session:
    """The simulator as a CTAPHID device over UDP ("HOST:PORT") or a card on a PC/SC reader ("pcsc:READER")."""

    def __init__(self, target):
        self.target = target
        self.nfc = target.startswith("pcsc:")
        if self.nfc:
            from fido2.pcsc import CtapPcscDevice
            devices = list(CtapPcscDevice.list_devices(target[5:]))
            check(len(devices) == 1, "one FIDO card on %r, found %d" % (target[5:], len(devices)))
            self.dev = devices[0]
        else:
            host, port = target.rsplit(":", 1)
            self.dev = open_device(host, int(port))

    def fresh(self):
        """authenticatorReset, then a new Ctap2 (its cached getInfo is current)."""
        Ctap2(self.dev).reset()
        return Ctap2(self.dev)

    def with_pin(self, protocol=None):
        ctap = self.fresh()
        ClientPin(ctap, protocol or PinProtocolV2()).set_pin(PIN)
        return Ctap2(self.dev)

    def client(self, origin=ORIGIN):
        return Fido2Client(self.dev, origin)


def make_options(user_id, rk=False, uv="discouraged", exclude=None, extensions=None, rp=RP):
    return {
        "rp": rp,
        "user": {"id": user_id, "name": user_id.decode(), "displayName": user_id.decode().upper()},
        "challenge": os.urandom(32),
        "pubKeyCredParams": ES256,
        "excludeCredentials": exclude,
        "authenticatorSelection": {"requireResidentKey": rk, "userVerification": uv},
        "extensions": extensions,
    }


def request_options(allow=None, uv="discouraged", extensions=None, rp_id=RP["id"]):
    return {
        "challenge": os.urandom(32),
        "rpId": rp_id,
        "allowCredentials": allow,
        "userVerification": uv,
        "extensions": extensions,
    }


def check_auth_data_canonical(auth_data):
    """The CBOR inside authenticatorData (credential public key, extension outputs) is canonical too (CTAP 2.1
    §8); Ctap2's strict_cbor only re-encodes the response map, where authData is one byte string."""
    raw = bytes(auth_data)
    rest = raw[37:]
    if auth_data.is_attested():
        cd = auth_data.credential_data
        rest = raw[37 + 16 + 2 + len(cd.credential_id):]
        key, after = cbor.decode_from(rest)
        check(cbor.encode(key) == rest[: len(rest) - len(after)], "credential public key is canonical CBOR")
        rest = after
    if auth_data.has_extension_data():
        ext, after = cbor.decode_from(rest)
        check(after == b"", "nothing after the extension outputs")
        check(cbor.encode(ext) == rest, "extension outputs are canonical CBOR: %s" % rest.hex())


def descriptor(cred_id):
    return {"type": "public-key", "id": cred_id}


# ---------------------------------------------------------------- steps

def step_ctaphid(s):
    """CTAPHID PING (1 and 7609 bytes), WINK, LOCK, CANCEL during authenticatorSelection (CTAP 2.1 §11.2.9)."""
    if s.nfc:
        return SKIP
    dev = s.dev
    check(dev.ping(b"x") == b"x", "1-byte PING")
    big = os.urandom(7609)
    check(dev.ping(big) == big, "7609-byte PING (57 + 128*59)")
    check(dev.capabilities & 0x01, "CAPABILITY_WINK")
    check(dev.capabilities & 0x04, "CAPABILITY_CBOR")
    check(not dev.capabilities & 0x08, "NMSG clear: CTAPHID_MSG is implemented")
    dev.wink()
    dev.lock(2)
    check(dev.ping(b"locked") == b"locked", "PING on the locking channel")
    dev.lock(0)
    ctap = Ctap2(dev)
    event = threading.Event()
    threading.Timer(0.3, event.set).start()
    t0 = time.monotonic()
    expect_ctap(CtapError.ERR.KEEPALIVE_CANCEL, ctap.selection, event=event)
    check(time.monotonic() - t0 < 1.4, "CANCEL ended authenticatorSelection before its touch")
    ctap.selection()  # §6.9: the touch arrives
    return "PING 1 B / 7609 B, WINK, LOCK 2 s then 0, CANCEL -> CTAP2_ERR_KEEPALIVE_CANCEL, selection"


def step_get_info(s):
    """authenticatorGetInfo member by member (CTAP 2.1 §6.4), canonical CBOR (§8)."""
    ctap = s.fresh()
    raw = ctap.send_cbor(Ctap2.CMD.GET_INFO, parse=lambda b: b)  # strict_cbor checked canonical order
    data = cbor.decode(raw)
    keys = list(data.keys())
    check(keys == sorted(keys), "integer keys in ascending order: %r" % keys)
    info = ctap.info
    check(isinstance(info.versions, list) and all(isinstance(v, str) for v in info.versions), "versions: text array")
    check("FIDO_2_1" in info.versions and "FIDO_2_0" in info.versions, "FIDO_2_0 and FIDO_2_1 in versions")
    check(len(set(info.versions)) == len(info.versions), "versions without duplicates")
    check(all(isinstance(e, str) for e in info.extensions), "extensions: text array")
    check(isinstance(info.aaguid, bytes) and len(info.aaguid) == 16, "aaguid: 16 bytes")
    check(all(isinstance(k, str) and isinstance(v, bool) for k, v in info.options.items()), "options: text -> bool")
    check(isinstance(info.max_msg_size, int) and info.max_msg_size >= 1024, "maxMsgSize >= 1024")
    check(info.pin_uv_protocols and len(set(info.pin_uv_protocols)) == len(info.pin_uv_protocols), "pinUvAuthProtocols: non-empty, no duplicates")
    check(info.options.get("pinUvAuthToken") is True and 2 in info.pin_uv_protocols, "FIDO_2_1 needs pinUvAuthToken and protocol 2")
    check(isinstance(info.max_creds_in_list, int) and info.max_creds_in_list > 0, "maxCredentialCountInList > 0")
    check(isinstance(info.max_cred_id_length, int) and info.max_cred_id_length > 0, "maxCredentialIdLength > 0")
    check(set(info.transports) <= {"usb", "nfc", "ble", "smart-card", "hybrid", "internal"}, "transports known")
    check(all(a.get("type") == "public-key" and isinstance(a.get("alg"), int) for a in info.algorithms), "algorithms: public-key descriptors")
    if info.options.get("largeBlobs"):
        check(isinstance(info.max_large_blob, int) and info.max_large_blob >= 1024, "maxSerializedLargeBlobArray >= 1024")
    check(info.min_pin_length >= 4, "minPINLength >= 4")
    check(isinstance(info.firmware_version, int), "firmwareVersion: unsigned integer")
    if "credBlob" in info.extensions:
        check(isinstance(info.max_cred_blob_length, int) and info.max_cred_blob_length >= 32, "maxCredBlobLength >= 32")
    if info.options.get("setMinPINLength") is not None:
        check(isinstance(info.max_rpids_for_min_pin, int), "maxRPIDsForSetMinPINLength with setMinPINLength")
    check(0x10 not in data or info.options.get("setMinPINLength") is not None, "maxRPIDsForSetMinPINLength only with setMinPINLength")
    if "uv" in info.options or "bioEnroll" in info.options:
        check(isinstance(info.uv_modality, int) and info.uv_modality > 0, "uvModality with built-in UV")
        pref = data.get(0x11)
        check(pref is None or (isinstance(pref, int) and pref > 0), "preferredPlatformUvAttempts > 0")
    check(isinstance(info.remaining_disc_creds, int) and info.remaining_disc_creds >= 0, "remainingDiscoverableCredentials")
    check(0x0C not in data or data[0x0C] is True, "forcePINChange present only when true")
    if 0x13 in data:
        check(all(isinstance(k, str) and isinstance(v, int) for k, v in data[0x13].items()), "certifications: text -> uint")
    check(info.options.get("clientPin") is False, "clientPin false after reset")
    check(info.options.get("rk") is True and info.options.get("plat") is False and info.options.get("up") is True, "rk, plat, up")
    return "%d members, versions %s, maxMsgSize %d, list %d x %d B" % (
        len(data), ",".join(info.versions), info.max_msg_size, info.max_creds_in_list, info.max_cred_id_length)


def step_client_pin(s, protocol_cls):
    ctap = s.fresh()
    protocol = protocol_cls()
    cp = ClientPin(ctap, protocol)
    expect_ctap(CtapError.ERR.PIN_NOT_SET, cp.get_pin_token, PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    expect_ctap(CtapError.ERR.PIN_POLICY_VIOLATION, set_pin_raw, ctap, protocol, b"123")
    cp.set_pin(PIN)
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, cp.set_pin, PIN)  # §6.5.5.5 step 3: already set
    ctap = Ctap2(s.dev)
    cp = ClientPin(ctap, protocol)
    check(ctap.info.options["clientPin"] is True, "clientPin true")
    cp.change_pin(PIN, "98765")
    token = cp.get_pin_token("98765", ClientPin.PERMISSION.MAKE_CREDENTIAL | ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    check(len(token) == 32, "32-byte token")
    expect_ctap(CtapError.ERR.PIN_INVALID, cp.change_pin, PIN, "1111")
    retries, power_cycle = cp.get_pin_retries()
    check(retries == 7, "retries 7 after a wrong PIN, got %r" % retries)
    cp.change_pin("98765", PIN)
    check(cp.get_pin_retries()[0] == 8, "retries back to 8")
    # permissions (CTAP 2.1 §6.5.5.7.2 steps 3-4): 0 -> INVALID_PARAMETER; an undefined bit is ignored (the
    # token has the defined ones); CTAP 2.2's pcmr with another permission -> UNAUTHORIZED_PERMISSION
    expect_ctap(CtapError.ERR.INVALID_PARAMETER, cp.get_pin_token, PIN, 0)
    cdh = sha256(b"cdh")
    token = cp.get_pin_token(PIN, 0x80 | ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    ctap.make_credential(cdh, RP, {"id": b"u"}, ES256, pin_uv_param=protocol.authenticate(token, cdh),
                         pin_uv_protocol=protocol.VERSION)
    expect_ctap(UNAUTHORIZED_PERMISSION, cp.get_pin_token, PIN, 0x40 | ClientPin.PERMISSION.CREDENTIAL_MGMT)
    # a token bound to another RP ID, or lacking the permission, is refused
    cdh = sha256(b"cdh")
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, "other.example")
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, ctap.make_credential, cdh, RP, {"id": b"u"}, ES256,
                pin_uv_param=protocol.authenticate(token, cdh), pin_uv_protocol=protocol.VERSION)
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, ctap.make_credential, cdh, RP, {"id": b"u"}, ES256,
                pin_uv_param=protocol.authenticate(token, cdh), pin_uv_protocol=protocol.VERSION)
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    att = ctap.make_credential(cdh, RP, {"id": b"u"}, ES256, pin_uv_param=protocol.authenticate(token, cdh),
                               pin_uv_protocol=protocol.VERSION)
    check(att.auth_data.is_user_verified(), "UV with the token")
    # wrong PINs: 3 in a row -> PIN_AUTH_BLOCKED until a power cycle (§6.5.5.7.2)
    expect_ctap(CtapError.ERR.PIN_INVALID, cp.get_pin_token, "0000", ClientPin.PERMISSION.GET_ASSERTION)
    expect_ctap(CtapError.ERR.PIN_INVALID, cp.get_pin_token, "0000", ClientPin.PERMISSION.GET_ASSERTION)
    expect_ctap(CtapError.ERR.PIN_AUTH_BLOCKED, cp.get_pin_token, "0000", ClientPin.PERMISSION.GET_ASSERTION)
    expect_ctap(CtapError.ERR.PIN_AUTH_BLOCKED, cp.get_pin_token, PIN, ClientPin.PERMISSION.GET_ASSERTION)
    retries, power_cycle = cp.get_pin_retries()
    check(retries == 5 and power_cycle is True, "retries 5, powerCycleState true; got %r %r" % (retries, power_cycle))
    return "protocol %d: setPIN, changePIN, retries, permissions, RP binding, 3 wrong PINs -> PIN_AUTH_BLOCKED" % protocol.VERSION


def step_pin_blocked(s):
    """8 wrong PINs (power cycles in between) -> CTAP2_ERR_PIN_BLOCKED; reset recovers (§6.5.5.7.2)."""
    if s.nfc:
        return SKIP
    ctap = s.with_pin()
    cp = ClientPin(ctap)
    codes = []
    for i in range(8):
        if i % 3 == 0 and i:
            power_cycle(s)
            ctap = Ctap2(s.dev)
            cp = ClientPin(ctap)
        try:
            cp.get_pin_token("0000", ClientPin.PERMISSION.GET_ASSERTION)
        except CtapError as e:
            codes.append(e.code)
    check(codes[-1] == CtapError.ERR.PIN_BLOCKED, "eighth wrong PIN -> PIN_BLOCKED, got %r" % codes)
    check(cp.get_pin_retries()[0] == 0, "retries 0")
    power_cycle(s)
    cp = ClientPin(Ctap2(s.dev))
    expect_ctap(CtapError.ERR.PIN_BLOCKED, cp.get_pin_token, PIN, ClientPin.PERMISSION.GET_ASSERTION)
    ctap = s.fresh()
    check(ctap.info.options["clientPin"] is False, "reset clears the blocked PIN")
    return "codes %s" % ",".join("0x%02x" % c for c in codes)


def set_pin_raw(ctap, protocol, pin_bytes):
    """setPIN with any padded PIN (ClientPin.set_pin refuses short PINs on the host side; §6.5.5.5)."""
    cp = ClientPin(ctap, protocol)
    key_agreement, shared = cp._get_shared_secret()
    enc = protocol.encrypt(shared, pin_bytes.ljust(64, b"\0"))
    ctap.client_pin(protocol.VERSION, ClientPin.CMD.SET_PIN, key_agreement=key_agreement,
                    new_pin_enc=enc, pin_uv_param=protocol.authenticate(shared, enc))


SKIP = "skipped: needs the UDP device (CTAPHID, the power-cycle datagram)"


def power_cycle(s):
    send_datagram(s.dev, POWER_CYCLE)
    time.sleep(0.1)


def step_client_rk_uv(s):
    """Fido2Client make_credential/get_assertion with rk and UV by PIN; two accounts (§6.1.2, §6.2.2)."""
    s.with_pin()
    client = s.client()
    a = client.make_credential(make_options(b"alice", rk=True, uv="required"), pin=PIN)
    ad = a.attestation_object.auth_data
    check(ad.is_user_verified() and ad.is_attested(), "UV, attested credential data")
    a.attestation_object  # packed
    b = client.make_credential(make_options(b"bob", rk=True, uv="required"), pin=PIN)
    sel = client.get_assertion(request_options(uv="required"), pin=PIN)
    got = sel.get_assertions()
    check(len(got) == 2, "two assertions, got %d" % len(got))
    users = {x.user["id"] for x in got}
    check(users == {b"alice", b"bob"}, "both users: %r" % users)
    for i, x in enumerate(got):
        resp = sel.get_response(i)
        pk = a if x.credential["id"] == ad.credential_data.credential_id else b
        x.verify(resp.client_data.hash, pk.attestation_object.auth_data.credential_data.public_key)
    # PIN set: no PIN and no UV -> the client refuses; the authenticator needs UV for rk (§6.1.2 step 8)
    ctap = Ctap2(s.dev)
    cdh = sha256(b"no uv")
    expect_ctap(PUAT_REQUIRED, ctap.make_credential, cdh, RP, {"id": b"carol"}, ES256, options={"rk": True})
    # non-discoverable without UV: makeCredUvNotRqd (§6.4)
    att = ctap.make_credential(cdh, RP, {"id": b"carol"}, ES256)
    check(not att.auth_data.is_user_verified(), "no UV flag without UV")
    return "2 discoverable credentials, both returned and verified; rk without UV -> PUAT_REQUIRED"


def step_silent_preflight(s):
    """An up=false pre-flight with a token, then the assertion with the same token (CTAP 2.1 §6.2.2 step 9)."""
    ctap = s.with_pin()
    s.client().make_credential(make_options(b"nina", rk=True, uv="required"), pin=PIN)
    ctap = Ctap2(s.dev)
    proto = PinProtocolV2()
    token = ClientPin(ctap, proto).get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    cdh = sha256(b"preflight")
    auth = proto.authenticate(token, cdh)
    silent = ctap.get_assertion(RP["id"], cdh, options={"up": False}, pin_uv_param=auth, pin_uv_protocol=2)
    check(not silent.auth_data.is_user_present() and silent.auth_data.is_user_verified(), "pre-flight: UV, no UP")
    real = ctap.get_assertion(RP["id"], cdh, pin_uv_param=auth, pin_uv_protocol=2)
    check(real.auth_data.is_user_present() and real.auth_data.is_user_verified(), "assertion: UP and UV")
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, ctap.get_assertion, RP["id"], cdh, pin_uv_param=auth, pin_uv_protocol=2)
    return "up=false keeps the token; the assertion with up spends it"


def step_builtin_uv(s):
    """Built-in UV: a fingerprint enrolled with FPBioEnrollment (CTAP 2.1 §6.7), then Fido2Client with
    userVerification required and no PIN (the "uv" option), and an up=false assertion whose finger touch
    sets UP (§6.2.2 step 8)."""
    ctap = s.with_pin()
    proto = PinProtocolV2()
    token = ClientPin(ctap, proto).get_pin_token(PIN, ClientPin.PERMISSION.BIO_ENROLL)
    bio = FPBioEnrollment(ctap, proto, token)
    enrolling = bio.enroll(timeout=5000)
    template_id = None
    for _ in range(12):
        template_id = enrolling.capture()
        if template_id is not None:
            break
    check(template_id is not None, "enrolled")
    ctap = Ctap2(s.dev)
    check(ctap.info.options.get("uv") is True, "getInfo uv true once a finger is enrolled")
    client = s.client()
    made = client.make_credential(make_options(b"olga", rk=True, uv="required"))
    check(made.attestation_object.auth_data.is_user_verified(), "UV by the finger, no PIN")
    sel = client.get_assertion(request_options(uv="required"))
    got = sel.get_assertions()[0]
    check(got.auth_data.is_user_verified() and got.auth_data.is_user_present(), "assertion UV and UP")
    cdh = sha256(b"silent uv")
    silent = ctap.get_assertion(RP["id"], cdh, options={"uv": True, "up": False})
    check(silent.auth_data.is_user_verified(), "uv=true up=false: UV")
    check(silent.auth_data.is_user_present(), "uv=true up=false: the finger touch sets UP (§6.2.2 step 8)")
    return "finger enrolled, Fido2Client UV without PIN, up=false + uv=true -> UP and UV"


def step_exclude_allow(s):
    """excludeCredentials -> DEVICE_INELIGIBLE; allowCredentials with maxCredentialCountInList IDs (§6.1.2 step 11, §6.2.2 step 7)."""
    ctap = s.fresh()
    client = s.client()
    info = ctap.info
    made = client.make_credential(make_options(b"dave"))
    cid = made.attestation_object.auth_data.credential_data.credential_id
    check(len(cid) <= info.max_cred_id_length, "credential ID within maxCredentialIdLength")
    try:
        client.make_credential(make_options(b"dave", exclude=[descriptor(os.urandom(16)), descriptor(cid)]))
        raise AssertionError("excluded credential accepted")
    except ClientError as e:
        check(e.code == ClientError.ERR.DEVICE_INELIGIBLE, "DEVICE_INELIGIBLE, got %r" % e)
        check(e.cause.code == CtapError.ERR.CREDENTIAL_EXCLUDED, "CREDENTIAL_EXCLUDED")
    # exclude list for another RP: not excluded
    s.client(OTHER_ORIGIN).make_credential(make_options(b"dave", exclude=[descriptor(cid)], rp=OTHER_RP))
    n = info.max_creds_in_list
    allow = [descriptor(os.urandom(info.max_cred_id_length)) for _ in range(n - 1)] + [descriptor(cid)]
    sel = client.get_assertion(request_options(allow=allow))
    x = sel.get_assertions()[0]
    check(x.credential["id"] == cid, "the credential among %d IDs" % n)
    x.verify(sel.get_response(0).client_data.hash, made.attestation_object.auth_data.credential_data.public_key)
    # IDs longer than maxCredentialIdLength are not ours: ignored, not an error
    cdh = sha256(b"long ids")
    longer = [descriptor(os.urandom(info.max_cred_id_length + 1)), descriptor(cid)]
    check(ctap.get_assertion(RP["id"], cdh, allow_list=longer).credential["id"] == cid, "long IDs ignored")
    expect_ctap(CtapError.ERR.NO_CREDENTIALS, ctap.get_assertion, RP["id"], cdh, allow_list=[descriptor(os.urandom(32))])
    expect_ctap(CtapError.ERR.NO_CREDENTIALS, ctap.get_assertion, "other.example", cdh, allow_list=[descriptor(cid)])
    return "exclude -> CREDENTIAL_EXCLUDED; allowList of %d IDs; longer IDs ignored" % n


def step_hmac_secret(s):
    """hmac-secret through Fido2Client's extension processing (CTAP 2.1 §12.5), both PIN protocols."""
    s.with_pin()
    client = s.client()
    made = client.make_credential(make_options(b"erin", rk=True, uv="required", extensions={"hmacCreateSecret": True}), pin=PIN)
    check(made.extension_results.get("hmacCreateSecret") is True, "hmacCreateSecret true: %r" % made.extension_results)
    cid = made.attestation_object.auth_data.credential_data.credential_id
    salt1, salt2 = os.urandom(32), os.urandom(32)
    outs = []
    for _ in range(2):
        sel = client.get_assertion(request_options(allow=[descriptor(cid)], uv="required",
                                                    extensions={"hmacGetSecret": {"salt1": salt1, "salt2": salt2}}), pin=PIN)
        outs.append(sel.get_response(0).extension_results["hmacGetSecret"])
    check(outs[0] == outs[1], "same salts, same outputs")
    check(outs[0]["output1"] != outs[0]["output2"], "two salts, two outputs")
    # protocol 1 gives the same secret (the credential's CredRandom, §12.5)
    ctap = Ctap2(s.dev)
    for proto in (PinProtocolV1(), PinProtocolV2()):
        ext = HmacSecretExtension(ctap, proto)
        cp = ClientPin(ctap, proto)
        cdh = sha256(os.urandom(8))
        token = cp.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
        r = ctap.get_assertion(RP["id"], cdh, allow_list=[descriptor(cid)],
                               extensions={"hmac-secret": ext.process_get_input({"hmacGetSecret": {"salt1": salt1}})},
                               pin_uv_param=proto.authenticate(token, cdh), pin_uv_protocol=proto.VERSION)
        check(ext.process_get_output(r.auth_data)["hmacGetSecret"]["output1"] == outs[0]["output1"],
              "protocol %d output1 equals" % proto.VERSION)
    return "outputs stable per salt, same under PIN protocols 1 and 2"


def step_cred_protect(s):
    """credProtect levels 1-3 and their enforcement (CTAP 2.1 §12.1)."""
    s.with_pin()
    client = s.client()
    creds = {}
    for level, policy in enumerate(CredProtectExtension.POLICY, start=1):
        r = client.make_credential(make_options(("cp%d" % level).encode(), rk=True, uv="required",
                                                extensions={"credentialProtectionPolicy": policy}), pin=PIN)
        ad = r.attestation_object.auth_data
        check(ad.extensions.get("credProtect") == level, "credProtect %d in authData, got %r" % (level, ad.extensions))
        creds[level] = ad.credential_data.credential_id
    ctap = Ctap2(s.dev)
    cdh = sha256(b"cp")
    # without UV, no allowList: only level 1 is discoverable
    r = ctap.get_assertion(RP["id"], cdh)
    check(r.credential["id"] == creds[1] and r.number_of_credentials is None, "without UV only level 1 is found")
    # without UV, with allowList: levels 1 and 2
    for level in (1, 2):
        check(ctap.get_assertion(RP["id"], cdh, allow_list=[descriptor(creds[level])]).credential["id"] == creds[level],
              "level %d with its ID" % level)
    expect_ctap(CtapError.ERR.NO_CREDENTIALS, ctap.get_assertion, RP["id"], cdh, allow_list=[descriptor(creds[3])])
    # with UV: all three
    sel = client.get_assertion(request_options(uv="required"), pin=PIN)
    check(len(sel.get_assertions()) == 3, "all three with UV")
    # excludeList with level 3 and no UV: not excluded (§6.1.2 step 11)
    att = ctap.make_credential(cdh, RP, {"id": b"x"}, ES256, exclude_list=[descriptor(creds[3])])
    check(att.auth_data.credential_data.credential_id not in creds.values(), "level 3 not excluded without UV")
    expect_ctap(CtapError.ERR.CREDENTIAL_EXCLUDED, ctap.make_credential, cdh, RP, {"id": b"x"}, ES256,
                exclude_list=[descriptor(creds[2])])
    # U2F cannot use level 3 (it never verifies the user)
    ctap1 = Ctap1(s.dev)
    try:
        ctap1.authenticate(cdh, sha256(RP["id"].encode()), creds[3], check_only=True)
        raise AssertionError("U2F accepted a level 3 key handle")
    except ApduError as e:
        check(e.code == APDU.WRONG_DATA, "level 3 over U2F -> SW_WRONG_DATA, got 0x%04x" % e.code)
    return "levels 1-3 reported; discovery, allowList and excludeList enforce them"


def step_cred_blob(s):
    """credBlob (CTAP 2.1 §12.2): stored with a discoverable credential, returned with getCredBlob."""
    s.with_pin()
    client = s.client()
    info = Ctap2(s.dev).info
    blob = os.urandom(info.max_cred_blob_length)
    r = client.make_credential(make_options(b"frank", rk=True, uv="required", extensions={
        "credBlob": blob, "hmacCreateSecret": True, "credentialProtectionPolicy": CredProtectExtension.POLICY.OPTIONAL_WITH_LIST}), pin=PIN)
    ad = r.attestation_object.auth_data
    check(ad.extensions.get("credBlob") is True, "credBlob stored: true")
    check(list(ad.extensions) == ["credBlob", "credProtect", "hmac-secret"], "three outputs: %r" % list(ad.extensions))
    check_auth_data_canonical(ad)
    sel = client.get_assertion(request_options(uv="required", extensions={"getCredBlob": True, "hmacGetSecret": {"salt1": os.urandom(32)}}), pin=PIN)
    got = sel.get_assertions()[0]
    check(got.auth_data.extensions.get("credBlob") == blob, "credBlob returned")
    check_auth_data_canonical(got.auth_data)
    ctap = Ctap2(s.dev)
    cdh = sha256(b"blob")
    token = ClientPin(ctap).get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    proto = PinProtocolV2()
    att = ctap.make_credential(cdh, RP, {"id": b"g"}, ES256, extensions={"credBlob": blob + b"!"}, options={"rk": True},
                               pin_uv_param=proto.authenticate(token, cdh), pin_uv_protocol=2)
    check(att.auth_data.extensions.get("credBlob") is False, "too long a blob: credBlob false")
    return "%d-byte blob stored and returned; longer -> false" % len(blob)


def step_large_blobs(s):
    """largeBlobKey + LargeBlobs read/write/delete with a PIN token (CTAP 2.1 §6.10, §12.3)."""
    ctap = s.with_pin()
    client = s.client()
    r = client.make_credential(make_options(b"gina", rk=True, uv="required", extensions={"largeBlobKey": True}), pin=PIN)
    key = r.attestation_object.large_blob_key
    check(key is not None and len(key) == 32, "largeBlobKey from makeCredential")
    sel = client.get_assertion(request_options(uv="required", extensions={"largeBlobKey": True}), pin=PIN)
    check(sel.get_assertions()[0].large_blob_key == key, "same largeBlobKey from getAssertion")
    ctap = Ctap2(s.dev)
    check(LargeBlobs(ctap).read_blob_array() == [], "empty array")
    proto = PinProtocolV2()
    token = ClientPin(ctap, proto).get_pin_token(PIN, ClientPin.PERMISSION.LARGE_BLOB_WRITE)
    lb = LargeBlobs(ctap, proto, token)
    lb.put_blob(key, b"interop large blob")
    check(LargeBlobs(ctap).get_blob(key) == b"interop large blob", "blob read back")
    lb.put_blob(key, b"replaced")
    check(LargeBlobs(ctap).get_blob(key) == b"replaced", "blob replaced")
    check(len(LargeBlobs(ctap).read_blob_array()) == 1, "one entry")
    lb.delete_blob(key)
    check(LargeBlobs(ctap).get_blob(key) is None and LargeBlobs(ctap).read_blob_array() == [], "blob deleted")
    # without a token: PUAT_REQUIRED (§6.10.2 step "set": pinUvAuthParam absent)
    expect_ctap(PUAT_REQUIRED, LargeBlobs(ctap).write_blob_array, [])
    # a token without lbw: PIN_AUTH_INVALID
    token = ClientPin(ctap, proto).get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, LargeBlobs(ctap, proto, token).write_blob_array, [])
    # credential management reports the largeBlobKey (§6.8.4)
    token = ClientPin(ctap, proto).get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT)
    cm = CredentialManagement(ctap, proto, token)
    cred = cm.enumerate_creds(sha256(RP["id"].encode()))[0]
    check(cred.get(CredentialManagement.RESULT.LARGE_BLOB_KEY) == key, "credMgmt largeBlobKey")
    return "key in mc and ga, blob written, replaced, deleted; no token -> PUAT_REQUIRED"


def step_min_pin_length(s):
    """Config setMinPINLength + the minPinLength extension (CTAP 2.1 §6.11.4, §12.4)."""
    ctap = s.with_pin()
    proto = PinProtocolV2()
    cp = ClientPin(ctap, proto)
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.AUTHENTICATOR_CFG)
    Config(ctap, proto, token).set_min_pin_length(rp_ids=[RP["id"]])
    ctap = Ctap2(s.dev)
    client = s.client()
    r = client.make_credential(make_options(b"hank", uv="required", extensions={"minPinLength": True}), pin=PIN)
    check(r.attestation_object.auth_data.extensions.get("minPinLength") == 4, "minPinLength 4 for a listed RP: %r" % r.attestation_object.auth_data.extensions)
    r = s.client(OTHER_ORIGIN).make_credential(make_options(b"hank", uv="required", extensions={"minPinLength": True},
                                                            rp=OTHER_RP), pin=PIN)
    check("minPinLength" not in (r.attestation_object.auth_data.extensions or {}), "no minPinLength for an unlisted RP")
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.AUTHENTICATOR_CFG)
    Config(ctap, proto, token).set_min_pin_length(min_pin_length=6)
    ctap = Ctap2(s.dev)
    check(ctap.info.min_pin_length == 6, "getInfo minPINLength 6")
    check(ctap.info.force_pin_change is True, "forcePINChange: the 4-digit PIN is now too short")
    cp = ClientPin(ctap, proto)
    expect_ctap(CtapError.ERR.PIN_POLICY_VIOLATION, cp.get_pin_token, PIN, ClientPin.PERMISSION.GET_ASSERTION)
    expect_ctap(CtapError.ERR.PIN_POLICY_VIOLATION, cp.change_pin, PIN, "12345")
    cp.change_pin(PIN, "123456")
    ctap = Ctap2(s.dev)
    check(ctap.info.force_pin_change is False, "forcePINChange cleared")
    token = ClientPin(ctap, proto).get_pin_token("123456", ClientPin.PERMISSION.AUTHENTICATOR_CFG)
    expect_ctap(CtapError.ERR.PIN_POLICY_VIOLATION, Config(ctap, proto, token).set_min_pin_length, min_pin_length=5)
    return "RP list, minPinLength 4 to a listed RP only, raised to 6 -> forcePINChange, cannot decrease"


def step_cred_mgmt(s):
    """CredentialManagement: metadata, enumerate, update user, delete (CTAP 2.1 §6.8)."""
    ctap = s.with_pin()
    client = s.client()
    info = ctap.info
    before = info.remaining_disc_creds
    ids = {}
    for origin, rp, user in [(ORIGIN, RP, b"ivy"), (ORIGIN, RP, b"jack"), (OTHER_ORIGIN, OTHER_RP, b"kim")]:
        r = s.client(origin).make_credential(make_options(user, rk=True, uv="required", rp=rp), pin=PIN)
        ids[user] = r.attestation_object.auth_data.credential_data.credential_id
    ctap = Ctap2(s.dev)
    check(ctap.info.remaining_disc_creds == before - 3, "remainingDiscoverableCredentials went down by 3")
    proto = PinProtocolV1()
    cp = ClientPin(ctap, proto)
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT)
    cm = CredentialManagement(ctap, proto, token)
    meta = cm.get_metadata()
    check(meta[CredentialManagement.RESULT.EXISTING_CRED_COUNT] == 3, "3 credentials")
    check(meta[CredentialManagement.RESULT.MAX_REMAINING_COUNT] == before - 3, "remaining == getInfo's")
    rps = cm.enumerate_rps()
    check(sorted(r[CredentialManagement.RESULT.RP]["id"] for r in rps) == ["example.com", "other.example.org"], "two RPs")
    check(all(r[CredentialManagement.RESULT.RP_ID_HASH] == sha256(r[CredentialManagement.RESULT.RP]["id"].encode()) for r in rps), "rpIDHash")
    creds = cm.enumerate_creds(sha256(b"example.com"))
    check({c[CredentialManagement.RESULT.USER]["id"] for c in creds} == {b"ivy", b"jack"}, "two credentials for example.com")
    for c in creds:
        check(c[CredentialManagement.RESULT.CRED_PROTECT] == 1, "credProtect 1 reported")
        check(c[CredentialManagement.RESULT.PUBLIC_KEY][3] == -7, "COSE key alg -7")
    cm.update_user_info(descriptor(ids[b"ivy"]), {"id": b"ivy", "name": "ivy@example.com", "displayName": "Ivy New"})
    creds = cm.enumerate_creds(sha256(b"example.com"))
    ivy = [c for c in creds if c[CredentialManagement.RESULT.USER]["id"] == b"ivy"][0]
    check(ivy[CredentialManagement.RESULT.USER] == {"id": b"ivy", "name": "ivy@example.com", "displayName": "Ivy New"}, "user updated: %r" % ivy[CredentialManagement.RESULT.USER])
    expect_ctap(CtapError.ERR.INVALID_PARAMETER, cm.update_user_info, descriptor(ids[b"ivy"]), {"id": b"not-ivy", "name": "x"})
    cm.delete_cred(descriptor(ids[b"kim"]))
    expect_ctap(CtapError.ERR.NO_CREDENTIALS, cm.delete_cred, descriptor(ids[b"kim"]))
    expect_ctap(CtapError.ERR.NO_CREDENTIALS, cm.enumerate_creds_begin, sha256(b"other.example.org"))
    check(cm.get_metadata()[CredentialManagement.RESULT.EXISTING_CRED_COUNT] == 2, "2 left")
    # a token bound to an RP ID is refused for metadata (§6.8.2)
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT, RP["id"])
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, CredentialManagement(ctap, proto, token).get_metadata)
    check(len(CredentialManagement(ctap, proto, token).enumerate_creds(sha256(b"example.com"))) == 2, "bound token enumerates its RP")
    # without cm permission
    token = cp.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, CredentialManagement(ctap, proto, token).get_metadata)
    return "metadata, 2 RPs, credentials, updateUserInformation, delete, RP-bound token, PIN protocol 1"


def step_config(s):
    """Config toggleAlwaysUv, enableEnterpriseAttestation (CTAP 2.1 §6.11)."""
    ctap = s.fresh()
    # no PIN: authenticatorConfig works without a token (§6.11 step 4)
    Config(ctap).toggle_always_uv()
    ctap = Ctap2(s.dev)
    check(ctap.info.options.get("alwaysUv") is True, "alwaysUv on")
    check("U2F_V2" not in ctap.info.versions, "no U2F with alwaysUv (§7.2)")
    check(ctap.info.options.get("makeCredUvNotRqd") is not True, "makeCredUvNotRqd off with alwaysUv")
    cdh = sha256(b"always")
    expect_ctap(PUAT_REQUIRED, ctap.make_credential, cdh, RP, {"id": b"l"}, ES256)
    # now protected (alwaysUv): a token is needed
    expect_ctap(PUAT_REQUIRED, Config(ctap).toggle_always_uv)
    ClientPin(ctap).set_pin(PIN)
    ctap = Ctap2(s.dev)
    proto = PinProtocolV2()
    token = ClientPin(ctap, proto).get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    expect_ctap(CtapError.ERR.PIN_AUTH_INVALID, Config(ctap, proto, token).toggle_always_uv)
    token = ClientPin(ctap, proto).get_pin_token(PIN, ClientPin.PERMISSION.AUTHENTICATOR_CFG)
    cfg = Config(ctap, proto, token)
    ep = ctap.info.options.get("ep")
    if ep is not None:
        cfg._call(Config.CMD.ENABLE_ENTERPRISE_ATT)
    cfg.toggle_always_uv()
    ctap = Ctap2(s.dev)
    check(ctap.info.options.get("alwaysUv") is False, "alwaysUv off")
    check(ep is None or ctap.info.options.get("ep") is True, "ep true after enableEnterpriseAttestation")
    expect_ctap(CtapError.ERR.INVALID_SUBCOMMAND, cfg._call, 0x42)
    return "toggleAlwaysUv without and with a PIN, enableEnterpriseAttestation (ep %r -> true)" % ep


def step_reset_selection(s):
    """authenticatorSelection (§6.9) and authenticatorReset (§6.6) wiping credentials and PIN."""
    ctap = s.with_pin()
    ctap.selection()
    client = s.client()
    client.make_credential(make_options(b"mia", rk=True, uv="required"), pin=PIN)
    ctap = s.fresh()
    check(ctap.info.options["clientPin"] is False, "PIN gone")
    expect_ctap(CtapError.ERR.NO_CREDENTIALS, ctap.get_assertion, RP["id"], sha256(b"x"))
    return "selection answered, reset wipes PIN and credentials"


def step_u2f(s):
    """CTAP1/U2F: register, authenticate, check-only, wrong appId (U2F raw messages §5, CTAP 2.1 §10.3)."""
    s.fresh()
    ctap1 = Ctap1(s.dev)
    check(ctap1.get_version() == "U2F_V2", "U2F_V2")
    app, chal = sha256(b"https://u2f.example.com"), sha256(os.urandom(8))
    reg = ctap1.register(chal, app)
    reg.verify(app, chal)
    for code, kw in ((APDU.USE_NOT_SATISFIED, {"check_only": True}),):
        try:
            ctap1.authenticate(chal, app, reg.key_handle, **kw)
            raise AssertionError("check-only signed")
        except ApduError as e:
            check(e.code == code, "check-only -> 0x6985, got 0x%04x" % e.code)
    sig = ctap1.authenticate(chal, app, reg.key_handle)
    sig.verify(app, chal, reg.public_key)
    sig2 = ctap1.authenticate(chal, app, reg.key_handle)
    check(sig2.counter > sig.counter, "counter increases")
    try:
        ctap1.authenticate(chal, sha256(b"https://evil.example"), reg.key_handle)
        raise AssertionError("wrong appId signed")
    except ApduError as e:
        check(e.code == APDU.WRONG_DATA, "wrong appId -> 0x6A80, got 0x%04x" % e.code)
    # a U2F key handle is a CTAP2 credential for the RP whose hash is the appId (CTAP 2.1 §10.3)
    ctap = Ctap2(s.dev)
    rp_id = "u2f.example.org"
    reg2 = ctap1.register(chal, sha256(rp_id.encode()))
    cdh = sha256(b"ctap2 over u2f")
    r = ctap.get_assertion(rp_id, cdh, allow_list=[descriptor(reg2.key_handle)])
    r.verify(cdh, __import__("fido2.cose", fromlist=["ES256"]).ES256.from_ctap1(reg2.public_key))
    # Fido2Client over CTAP1 is not used: the key speaks CTAP2. Unknown INS -> 0x6D00
    try:
        ctap1.send_apdu(ins=0x55)
        raise AssertionError("unknown INS accepted")
    except ApduError as e:
        check(e.code == SW_INS_NOT_SUPPORTED, "unknown INS -> 0x6D00, got 0x%04x" % e.code)
    return "register/authenticate verified, check-only 0x6985, wrong appId 0x6A80, U2F key handle usable by CTAP2"


def step_malformed(s):
    """Malformed requests -> the spec's status codes (CTAP 2.1 §6.1.2, §8, §6.5.5)."""
    ctap = s.fresh()
    dev = s.dev

    def raw(cmd, payload):
        resp = dev.call(CTAPHID.CBOR, bytes([cmd]) + payload)
        return resp[0]


    rp = {"id": "example.com"}
    user = {"id": b"u"}
    cdh = sha256(b"m")
    full = {1: cdh, 2: rp, 3: user, 4: ES256}
    results = {}

    def expect(name, cmd, payload, code):
        got = raw(cmd, payload)
        results[name] = got
        check(got == code, "%s: expected 0x%02x, got 0x%02x" % (name, code, got))

    for k, name in ((1, "clientDataHash"), (2, "rp"), (3, "user"), (4, "pubKeyCredParams")):
        m = dict(full)
        del m[k]
        expect("mc without " + name, 0x01, cbor.encode(m), CtapError.ERR.MISSING_PARAMETER)
    m = dict(full)
    m[1] = "not bytes"
    expect("mc clientDataHash text", 0x01, cbor.encode(m), CtapError.ERR.CBOR_UNEXPECTED_TYPE)
    m = dict(full)
    m[2] = {"name": "no id"}
    expect("mc rp without id", 0x01, cbor.encode(m), CtapError.ERR.MISSING_PARAMETER)
    m = dict(full)
    m[4] = [{"type": "public-key", "alg": -999}]
    expect("mc unsupported alg", 0x01, cbor.encode(m), CtapError.ERR.UNSUPPORTED_ALGORITHM)
    m = dict(full)
    m[7] = {"uv": "yes"}
    expect("mc option not bool", 0x01, cbor.encode(m), CtapError.ERR.CBOR_UNEXPECTED_TYPE)
    m = dict(full)
    m[0x20] = "an unknown key"
    m[7] = {"unknownOption": True}
    m[6] = {"unknownExtension": 1}
    expect("mc unknown key/option/extension ignored", 0x01, cbor.encode(m), 0x00)
    expect("ga without rpId", 0x02, cbor.encode({2: cdh}), CtapError.ERR.MISSING_PARAMETER)
    expect("ga rpId bytes", 0x02, cbor.encode({1: b"example.com", 2: cdh}), CtapError.ERR.CBOR_UNEXPECTED_TYPE)
    expect("ga allowList not array", 0x02, cbor.encode({1: "example.com", 2: cdh, 3: {"a": 1}}), CtapError.ERR.CBOR_UNEXPECTED_TYPE)
    expect("ga descriptor without id", 0x02, cbor.encode({1: "example.com", 2: cdh, 3: [{"type": "public-key"}]}), CtapError.ERR.MISSING_PARAMETER)
    expect("clientPin without subCommand", 0x06, cbor.encode({1: 2}), CtapError.ERR.MISSING_PARAMETER)
    expect("clientPin unknown subCommand", 0x06, cbor.encode({1: 2, 2: 0x42}), CtapError.ERR.INVALID_SUBCOMMAND)
    expect("clientPin protocol 3", 0x06, cbor.encode({1: 3, 2: 2}), CtapError.ERR.INVALID_PARAMETER)
    expect("not CBOR", 0x01, b"\xff\xff", CtapError.ERR.INVALID_CBOR)
    expect("not a map", 0x01, cbor.encode([1, 2]), CtapError.ERR.CBOR_UNEXPECTED_TYPE)
    expect("unknown command", 0x55, b"", CtapError.ERR.INVALID_COMMAND)
    return "%d malformed requests answered per the spec" % len(results)


STEPS = [
    ("CTAPHID ping/wink/lock/cancel", step_ctaphid),
    ("getInfo member by member", step_get_info),
    ("ClientPin protocol 1", lambda s: step_client_pin(s, PinProtocolV1)),
    ("ClientPin protocol 2", lambda s: step_client_pin(s, PinProtocolV2)),
    ("PIN blocked after 8 wrong PINs", step_pin_blocked),
    ("Fido2Client rk + UV", step_client_rk_uv),
    ("silent pre-flight keeps the token", step_silent_preflight),
    ("built-in UV by fingerprint", step_builtin_uv),
    ("excludeCredentials and allowCredentials", step_exclude_allow),
    ("hmac-secret via Fido2Client", step_hmac_secret),
    ("credProtect levels", step_cred_protect),
    ("credBlob", step_cred_blob),
    ("largeBlobKey + LargeBlobs", step_large_blobs),
    ("minPinLength + setMinPINLength", step_min_pin_length),
    ("CredentialManagement", step_cred_mgmt),
    ("Config toggleAlwaysUv / enterprise attestation", step_config),
    ("selection and reset", step_reset_selection),
    ("CTAP1/U2F via Ctap1", step_u2f),
    ("malformed requests", step_malformed),
]


def main():
    target = sys.argv[1]
    only = sys.argv[2:]
    s = Session(target)
    failed = 0
    for name, fn in STEPS:
        if only and not any(name.startswith(o) for o in only):
            continue
        try:
            detail = fn(s)
            print("ok  %s: %s" % (name, detail), flush=True)
        except Exception as e:  # one line per failed step
            failed += 1
            tb = traceback.extract_tb(e.__traceback__)
            where = next((f.lineno for f in reversed(tb) if f.filename == __file__), "?")
            print("FAIL %s: %s: %s (line %s)" % (name, type(e).__name__, e, where), flush=True)
            s = Session(target)
    print("PASS" if failed == 0 else "%d step(s) failed" % failed, flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
