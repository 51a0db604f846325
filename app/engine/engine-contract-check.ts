/**
 * Compile-time proof that `Engine` implements the API contract: every method whose host is 'engine', with exactly
 * that name and `(params) => Promise<result>` shape, plus `on` for the events and `close`. A method missing or
 * differently shaped fails `npm run typecheck` here, not at run time in a transport.
 */
import type { Api, EngineMethodName, ParamsOf, ResultOf } from '../api/api-contract.js';
import type { Engine } from './engine.js';

export type EngineApi = { [M in EngineMethodName]: (params: ParamsOf<M>) => Promise<ResultOf<M>> } & Pick<Api, 'on'> & { close(): Promise<void> };

type Implements<T extends EngineApi> = T;
export type EngineImplementsContract = Implements<Engine>;
