// Host-side packet transports (docs/architecture.md): hid (node-hid), udp (simulator convention), memory (in-process).
export type { PacketTransport, TransportKind } from './PacketTransport.ts';
export { TransportError, type TransportErrorCode } from './TransportError.ts';
export { ReportQueue } from './ReportQueue.ts';
export { MemoryTransport, connectReportDevice, type InProcessDeviceFactory, type InProcessReportDevice, type ReportDevice } from './MemoryTransport.ts';
export { UdpTransport, parseUdpAddress, DEFAULT_UDP_HOST, DEFAULT_UDP_PORT, type UdpTransportOptions } from './UdpTransport.ts';
export { HidTransport, listFidoHidDevices, type FidoHidDevice, type HidTransportOptions } from './HidTransport.ts';
export { loadNodeHidBackend, type HidBackend, type HidDeviceInfo, type HidHandle } from './hidBackend.ts';
export { FIDO_UDEV_RULE, FIDO_UDEV_RULE_PATH, hidPermissionHelp } from './udevRule.ts';
export type { ApduTransport, InProcessCard } from './ApduTransport.ts';
export { MemoryCardTransport } from './MemoryCardTransport.ts';
export { PcscTransport, listPcscReaders, type PcscReader } from './PcscTransport.ts';
export { PresenceWaits, type PresenceWait, type PresenceWaitListener } from './PresenceWaits.ts';
