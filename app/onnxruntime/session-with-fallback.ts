/** Creates an onnxruntime session with the first execution provider of a plan that loads (and passes a smoke test), recording every attempt. */
import type { InferenceSession } from 'onnxruntime-node';
import type { ExecutionProviderName, ExecutionProviderPlan, PlanStep } from './execution-provider-plan.js';
import type { OnnxRuntimeModule } from './load-onnxruntime.js';
import { OnnxRuntimeError } from './onnxruntime-error.js';

export interface ProviderAttempt {
  provider: ExecutionProviderName;
  ok: boolean;
  /** The error of session creation or of the smoke test (first line of ORT's message). */
  error?: string;
  /** What the plan predicted would go wrong, when it did (e.g. "the CUDA provider is not installed; run …"). */
  hint?: string;
  /** Milliseconds spent on this provider: creation plus smoke test. */
  ms: number;
}

export interface SessionWithProvider {
  session: InferenceSession;
  provider: ExecutionProviderName;
  /** Why this provider (the plan's reason). */
  reason: string;
  /** Every provider tried, in order, ending with the one in use. */
  attempts: ProviderAttempt[];
}

export interface ProviderLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface FallbackOptions {
  /** Called with each new session; a throw (or rejection) counts as that provider failing. E.g. one `run()` on a short input. */
  smokeTest?: (session: InferenceSession, provider: ExecutionProviderName) => Promise<void> | void;
  /** Where "using cuda because …" and each failure go. Default: nowhere. */
  logger?: ProviderLogger;
  /**
   * For GPU providers: fail instead of silently running some nodes on the CPU provider
   * (`extra.session.disable_cpu_ep_fallback = '1'`). Default false: ORT places unsupported nodes on the CPU, which is normal.
   */
  requireAllNodesOnDevice?: boolean;
  /** GPU index for cuda and dml (default: ORT's, 0). */
  deviceId?: number;
}

/** The OnnxRuntimeError `no-usable-provider` for a plan whose every provider failed; `attempts` holds each one's error. */
export function noUsableProvider(attempts: ProviderAttempt[], model: string): OnnxRuntimeError {
  return new OnnxRuntimeError('no-usable-provider', `No execution provider could run ${model}: ${attempts.map(describeAttempt).join('; ')}`, { attempts });
}

/** `cuda failed after 3 ms: … (hint: …)` */
export function describeAttempt(attempt: ProviderAttempt): string {
  if (attempt.ok) return `${attempt.provider} ok (${Math.round(attempt.ms)} ms)`;
  const hint = attempt.hint ? ` (${attempt.hint})` : '';
  return `${attempt.provider} failed: ${attempt.error}${hint}`;
}

/**
 * Tries the plan's providers one at a time: `InferenceSession.create(model, {...sessionOptions, executionProviders: [ep]})`,
 * then `smokeTest`. A provider the loaded onnxruntime does not have (listSupportedBackends) is recorded as "not available
 * on this platform" without calling create, because onnxruntime-common would otherwise drop the name from a list and
 * run on the CPU while seeming to use it. Returns the first session that works; throws the OnnxRuntimeError `no-usable-provider` otherwise.
 */
export async function createSessionWithFallback(
  ort: OnnxRuntimeModule,
  model: string | Uint8Array,
  plan: Pick<ExecutionProviderPlan, 'steps'>,
  sessionOptions: InferenceSession.SessionOptions = {},
  options: FallbackOptions = {},
): Promise<SessionWithProvider> {
  const logger = options.logger;
  const modelName = typeof model === 'string' ? model : `the model (${model.byteLength} bytes)`;
  const available = supportedBackends(ort);
  const steps = plan.steps.filter((s) => s.use);
  const attempts: ProviderAttempt[] = [];
  for (const [index, step] of steps.entries()) {
    const next = steps[index + 1]?.provider;
    const started = performance.now();
    const attempt: ProviderAttempt = { provider: step.provider, ok: false, ms: 0 };
    if (step.problem) attempt.hint = step.problem;
    if (available && !available.includes(step.provider)) {
      attempt.error = `not available on this platform (this onnxruntime-node has ${available.join(', ')})`;
      attempts.push(attempt);
      logger?.warn(`onnxruntime: ${step.provider} is not available on this platform${next ? `; trying ${next}` : ''}`);
      continue;
    }
    let session: InferenceSession | undefined;
    try {
      session = await ort.InferenceSession.create(model as never, sessionOptionsFor(step, sessionOptions, options));
      if (options.smokeTest) {
        try {
          await options.smokeTest(session, step.provider);
        } catch (error) {
          throw new Error(`the session was created but the smoke test failed: ${firstLine(error)}`);
        }
      }
      attempt.ok = true;
      attempt.ms = performance.now() - started;
      attempts.push(attempt);
      logger?.info(`onnxruntime: using ${step.provider} (${step.reason})`);
      return { session, provider: step.provider, reason: step.reason, attempts };
    } catch (error) {
      if (session) await session.release().catch(() => undefined);
      attempt.error = firstLine(error);
      attempt.ms = performance.now() - started;
      attempts.push(attempt);
      logger?.warn(`onnxruntime: ${describeAttempt(attempt)}${next ? `; trying ${next}` : ''}`);
    }
  }
  throw noUsableProvider(attempts, modelName);
}

function sessionOptionsFor(step: PlanStep, base: InferenceSession.SessionOptions, options: FallbackOptions): InferenceSession.SessionOptions {
  const provider = step.provider;
  const config: InferenceSession.ExecutionProviderConfig =
    options.deviceId !== undefined && (provider === 'cuda' || provider === 'dml') ? { name: provider, deviceId: options.deviceId } : provider;
  const result: InferenceSession.SessionOptions = { ...base, executionProviders: [config] };
  if (provider === 'dml') {
    // DirectML does not support memory patterns or parallel execution (DirectML EP documentation).
    result.enableMemPattern = false;
    result.executionMode = 'sequential';
  }
  if (options.requireAllNodesOnDevice && provider !== 'cpu') {
    const extra = (base.extra ?? {}) as Record<string, unknown>;
    const session = (extra.session ?? {}) as Record<string, unknown>;
    result.extra = { ...extra, session: { ...session, disable_cpu_ep_fallback: '1' } };
  }
  return result;
}

function supportedBackends(ort: OnnxRuntimeModule): string[] | undefined {
  const list = (ort as { listSupportedBackends?: () => { name: string }[] }).listSupportedBackends;
  if (typeof list !== 'function') return undefined;
  try {
    return list().map((b) => b.name);
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[0] ?? message;
}
