/**
 * Which execution provider the encoder runs on: the device option (as app/onnxruntime plans it) and the record of
 * what was tried, exposed on the encoder as `executionProvider`.
 */
import { deviceRequests, describeAttempt, type DeviceRequest, type ExecutionProviderName, type ExecutionProviderPlan, type ProviderAttempt } from '../onnxruntime/index.js';
import type { GraphTarget } from './onnx/bert-graph.js';
import type { Precision } from './precision.js';

export type Device = DeviceRequest;
export const DEVICES: readonly Device[] = deviceRequests;
export type Provider = ExecutionProviderName;

export interface ProviderChoice {
  /** What was asked for. */
  requested: Device;
  /** The provider the session runs on. */
  provider: Provider;
  /** Why providers preferred to this one are not in use (skipped by the plan, or failed); undefined when none were. */
  fallbackReason: string | undefined;
  /** Which onnxruntime-node copy is loaded (bundled, or the CUDA pack) and why. */
  runtime: string;
}

/** The encoder's `executionProvider`: the provider, and the graph it runs there (its compute precision and form). */
export interface ExecutionChoice extends ProviderChoice {
  /** The precision of the graph in use: 'fp16' (the default on WebGPU), 'fp32' (elsewhere) or 'int8' (CPU, opt-in). */
  precision: Precision;
  /** The form of the graph: 'webgpu' (shaped for onnxruntime's WebGPU provider) or 'cpu' (every other provider). */
  graphTarget: GraphTarget;
}

/** Summarizes a plan and the attempts of session creation into the encoder's `executionProvider` record. */
export function describeProviderChoice(
  plan: Pick<ExecutionProviderPlan, 'requested' | 'steps'>,
  attempts: ProviderAttempt[],
  provider: Provider,
  runtime: string,
): ProviderChoice {
  const reasons: string[] = [];
  for (const step of plan.steps) {
    if (step.provider === provider) break;
    if (!step.use) reasons.push(`${step.provider} skipped: ${step.reason}`);
  }
  for (const attempt of attempts) if (!attempt.ok) reasons.push(describeAttempt(attempt));
  return { requested: plan.requested, provider, fallbackReason: reasons.length > 0 ? reasons.join('; ') : undefined, runtime };
}
