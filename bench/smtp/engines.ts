import { performance } from 'node:perf_hooks';
import { createSmtpProber } from '../../src/verify/smtp/prober.js';
import type { SocketFactory } from '../../src/verify/smtp/socket-factory.js';
import type { BenchVerdict } from './bench-verdict.js';
import { runLockstepBaseline } from './lockstep-baseline.js';
import { runPipelinedBaseline } from './pipelined-baseline.js';
import {
  lockstepModel,
  pipelinedPerAddressModel,
  pooledLimit,
  roundTripsSeen,
  burstShapes,
  type RoundTripCount,
} from './round-trips.js';
import { startWorld, type BenchItem, type BenchList } from './world.js';

/** What every engine gets: the same socket factory, sender and global concurrency. */
export interface EngineSettings {
  connect: SocketFactory;
  heloName: string;
  mailFrom: string;
  /** Connections open at once, across all hosts. */
  concurrency: number;
  /** Recipients per transaction (m) for the pooled engine. */
  maxRecipients: number;
}

export interface Engine {
  id: 'mailvet' | 'lockstep' | 'pipelined';
  label: string;
  /** This engine's own round-trip model for a list (design.md §4). */
  model(list: BenchList, s: EngineSettings): number;
  run(items: readonly BenchItem[], s: EngineSettings): Promise<BenchVerdict[]>;
}

export const ENGINES: readonly Engine[] = [
  {
    id: 'mailvet',
    label: 'mailvet (pooled + pipelined)',
    model: (list, s) => pooledLimit(list, s.maxRecipients),
    run: runMailvet,
  },
  {
    id: 'lockstep',
    label: 'one connection per address, lockstep',
    model: (list) => lockstepModel(list.items.length),
    run: (items, s) => runLockstepBaseline(items, s),
  },
  {
    id: 'pipelined',
    label: 'one connection per address, pipelined',
    model: (list) => pipelinedPerAddressModel(list.items.length),
    run: (items, s) => runPipelinedBaseline(items, s),
  },
];

/** All probes issued at once, as `verifyMany` does; politeness options left at their defaults. */
async function runMailvet(items: readonly BenchItem[], s: EngineSettings): Promise<BenchVerdict[]> {
  const prober = createSmtpProber({
    heloName: s.heloName,
    mailFrom: s.mailFrom,
    connect: s.connect,
    maxSessions: s.concurrency,
    maxRecipientsPerTransaction: s.maxRecipients,
  });
  try {
    return await Promise.all(
      items.map(async (item) => {
        const v = await prober.probe({
          address: {
            input: item.email,
            localPart: item.localPart,
            domain: item.domain,
            asciiDomain: item.domain,
            addressLiteral: null,
            normalized: item.email,
            smtputf8: false,
          },
          hosts: item.hosts,
        });
        return { outcome: v.outcome, catchAll: v.catchAll };
      }),
    );
  } finally {
    // QUITs the pooled sessions, so the clock below excludes nothing the others pay for.
    await prober.close();
  }
}

/** One measured run of one engine over a fresh world. */
export interface Measurement {
  seconds: number;
  count: RoundTripCount;
  verdicts: BenchVerdict[];
  shapes: Map<string, number>;
}

export async function measure(
  engine: Engine,
  list: BenchList,
  latencyMs: number,
  s: EngineSettings,
): Promise<Measurement> {
  const world = await startWorld(list, latencyMs);
  try {
    const started = performance.now();
    const verdicts = await engine.run(list.items, s);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, count: roundTripsSeen(world), verdicts, shapes: burstShapes(world) };
  } finally {
    await world.close();
  }
}
