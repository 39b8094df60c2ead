import autocannon from 'autocannon';
import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { Authenticator, MemoryStorage } from '../authenticator-sim/index.ts';
import { WebAuthnClient, type CreationOptionsJSON } from '../harness/client/index.ts';
import { Ctap2, DirectAuthenticatorChannel } from '../harness/ctap/index.ts';
import { startRpServer } from '../harness/rp/startRpServer.ts';
import { figure, type BenchFigure } from './measure.ts';

/**
 * RP `/conformance/attestation/result` throughput over loopback HTTP (autocannon, 10 connections, every
 * request a distinct pre-generated registration, since challenges are single-use) against in-process
 * `verifyRegistrationResponse` on the same registrations.
 */
export async function benchRp(count = Number(process.env.BENCH_RP_COUNT ?? 1200)): Promise<BenchFigure[]> {
  // room for every pending ceremony and user of the run (the RP bounds both against hostile load)
  const server = await startRpServer({ host: '127.0.0.1', port: 0, config: { maxCeremonies: count + 100, maxCeremoniesPerPeer: count + 100 } });
  try {
    const sim = await Authenticator.create({ storage: new MemoryStorage() });
    const ctap = await Ctap2.open(new DirectAuthenticatorChannel(sim));
    const client = new WebAuthnClient({ ctap, origin: server.url });
    const bodies: string[] = [];
    const expectations: { body: unknown; challenge: string }[] = [];
    for (let i = 0; i < count; i++) {
      const res = await server.rp.app.request('/conformance/attestation/options', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `bench-${i}`, displayName: `Bench ${i}`, attestation: 'direct' }),
      });
      const { status: _s, errorMessage: _e, ...options } = (await res.json()) as Record<string, unknown>;
      const created = await client.create(options as unknown as CreationOptionsJSON);
      bodies.push(JSON.stringify(created.credential));
      expectations.push({ body: created.credential, challenge: String(options.challenge) });
    }

    // in-process baseline on the same registrations
    const t0 = performance.now();
    for (const e of expectations) {
      const v = await verifyRegistrationResponse({
        response: e.body as never,
        expectedChallenge: e.challenge,
        expectedOrigin: server.url,
        expectedRPID: 'localhost',
        requireUserVerification: false,
      });
      if (!v.verified) throw new Error('baseline verification failed');
    }
    const inProcess = count / ((performance.now() - t0) / 1000);

    let next = 0;
    let failures = 0;
    const result = await autocannon({
      url: `${server.url}/conformance/attestation/result`,
      connections: 10,
      amount: count,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[next++ % bodies.length] }),
          onResponse: (status: number) => {
            if (status !== 200) failures++;
          },
        },
      ],
    } as never);
    if (failures > 0 || result.non2xx > 0) throw new Error(`${failures || result.non2xx} registrations refused over HTTP`);
    const overHttp = count / (result.duration || 1);
    return [figure('rp.http', overHttp, 'registrations/s', inProcess, 'in-process verifyRegistrationResponse, same registrations')];
  } finally {
    await server.close();
  }
}
