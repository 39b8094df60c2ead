// Host-side CTAPHID (CTAP 2.1 §11.2): channel allocation, framing, keepalive, cancel, raw frames.
export { CtaphidChannel, RawCtaphid, type CtaphidCallOptions, type CtaphidChannelOptions, type CtaphidDeviceInfo, type CtaphidMessage } from './CtaphidChannel.ts';
export { CtaphidError, type CtaphidErrorCode } from './CtaphidError.ts';
export { PresenceWaits, type PresenceWait, type PresenceWaitListener } from '../transport/index.ts';
