#!/usr/bin/env python3
"""Drives a fido-harness simulator that sits in vsmartcard's virtual reader (`fido-harness sim --pcsc`)
with Yubico's python-fido2 (Debian's python3-fido2) through pcscd: fido2.pcsc.CtapPcscDevice selects the
FIDO applet and speaks NFCCTAP_MSG in short APDUs with command chaining and GET RESPONSE (CTAP 2.1 §11.3).

Steps: the card is found on the named reader, getInfo, set PIN, makeCredential (rk, PIN/UV auth protocol
2) with packed attestation verified, getAssertion with the signature verified, a status update (9100)
while authenticatorSelection waits, CTAP1/U2F register and authenticate as ISO 7816 APDUs.

Usage: fido2_pcsc.py "READER NAME"     Prints one line per step; exit 0 when every step passed.
"""
import sys

from fido2.attestation import Attestation
from fido2.ctap import CtapError
from fido2.ctap1 import Ctap1
from fido2.ctap2 import ClientPin, Ctap2, PinProtocolV2
from fido2.pcsc import CtapPcscDevice
from script_steps import check, sha256, step

PIN = "4321"
RP = {"id": "nfc.example.com", "name": "NFC Example"}
USER = {"id": b"user-nfc-0001", "name": "carol", "displayName": "Carol"}
ES256 = [{"type": "public-key", "alg": -7}]


def main():
    reader = sys.argv[1]
    devices = [d for d in CtapPcscDevice.list_devices(reader)]
    check(len(devices) == 1, "one FIDO card on %r, found %d" % (reader, len(devices)))
    dev = devices[0]
    check(dev.capabilities & 0x08, "SELECT answered U2F_V2 (CTAP1 supported)")
    step("the card on %s selected (FIDO applet, U2F_V2)" % reader)

    ctap = Ctap2(dev)
    info = ctap.info
    check("FIDO_2_1" in info.versions and "U2F_V2" in info.versions, "versions %r" % info.versions)
    check("nfc" in (info.transports or []), "transports list nfc: %r" % info.transports)
    step("getInfo versions=%s transports=%s" % (",".join(info.versions), ",".join(info.transports)))

    protocol = PinProtocolV2()
    client_pin = ClientPin(ctap, protocol)
    client_pin.set_pin(PIN)
    ctap = Ctap2(dev)
    check(ctap.info.options.get("clientPin") is True, "clientPin true after setPIN")
    check(client_pin.get_pin_retries()[0] == 8, "8 PIN retries")
    step("setPIN, getPINRetries")

    token = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    cdh = sha256(b"nfc makeCredential")
    att = ctap.make_credential(
        cdh, RP, USER, ES256, options={"rk": True},
        pin_uv_param=protocol.authenticate(token, cdh), pin_uv_protocol=protocol.VERSION,
    )
    check(att.fmt == "packed", "packed attestation")
    Attestation.for_type(att.fmt)().verify(att.att_statement, att.auth_data, cdh)
    ad = att.auth_data
    check(ad.is_user_present() and ad.is_user_verified(), "UP and UV flags")
    check(ad.rp_id_hash == sha256(RP["id"].encode()), "rpIdHash")
    public_key = ad.credential_data.public_key
    step("makeCredential rk + PIN protocol 2, packed attestation verified (x5c %d certs)" % len(att.att_statement["x5c"]))

    token = client_pin.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, RP["id"])
    cdh = sha256(b"nfc getAssertion")
    assertion = ctap.get_assertion(RP["id"], cdh, pin_uv_param=protocol.authenticate(token, cdh), pin_uv_protocol=protocol.VERSION)
    assertion.verify(cdh, public_key)
    check(assertion.credential["id"] == ad.credential_data.credential_id, "the discoverable credential")
    check(assertion.auth_data.counter > ad.counter, "counter increased")
    step("getAssertion (discoverable, UV) signature verified")

    updates = []
    ctap.send_cbor(0x0B, on_keepalive=updates.append)  # authenticatorSelection: the simulator holds it 1.5 s
    check(len(updates) >= 1 and all(int(u) in (1, 2) for u in updates), "status updates 1 or 2, got %r" % updates)
    step("authenticatorSelection: status update %s, then CTAP2_OK" % int(updates[0]))

    ctap1 = Ctap1(dev)
    check(ctap1.get_version() == "U2F_V2", "U2F version")
    app, chal = sha256(b"https://u2f.nfc.example.com"), sha256(b"u2f challenge")
    reg = ctap1.register(chal, app)
    reg.verify(app, chal)
    sig = ctap1.authenticate(chal, app, reg.key_handle)
    sig.verify(app, chal, reg.public_key)
    step("U2F register (attestation verified) and authenticate (signature verified) as ISO 7816 APDUs")
    dev.close()
    print("PASS", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one clear line for the calling test
        print("FAIL %s: %s" % (type(e).__name__, e), flush=True)
        sys.exit(1)
