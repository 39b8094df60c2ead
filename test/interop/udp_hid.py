"""python-fido2's CtapHidDevice over the simulator's UDP link (docs/simulator.md, "UDP device protocol"):
one raw 64-byte CTAPHID report per datagram, no report-ID byte, from an ephemeral 127.0.0.1 port."""
import socket

from fido2.hid import CtapHidDevice
from fido2.hid.base import CtapHidConnection, HidDescriptor

# The datagram that power-cycles the simulator in place, never answered (docs/simulator.md, "Power cycle").
POWER_CYCLE = bytes.fromhex(
    "ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b"
    "394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc"
)


class UdpCtapHidConnection(CtapHidConnection):
    def __init__(self, host, port, timeout=5.0):
        self.addr = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(timeout)

    def write_packet(self, data):
        if len(data) != 64:
            raise ValueError("report of %d bytes" % len(data))
        self.sock.sendto(bytes(data), self.addr)

    def read_packet(self):
        data, _ = self.sock.recvfrom(2048)
        return data

    def close(self):
        self.sock.close()


def open_device(host, port):
    """A CtapHidDevice for the simulator at host:port (INIT is done here, as for a USB key)."""
    return CtapHidDevice(HidDescriptor("udp:%s:%d" % (host, port), 0, 0, 64, 64), UdpCtapHidConnection(host, port))


def send_datagram(dev, data):
    """A raw datagram to the simulator on the device's own socket (power cycle, finger on the sensor)."""
    conn = dev._connection
    conn.sock.sendto(data, conn.addr)
