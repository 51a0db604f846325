/** The API as front ends see it: the contract, the typed client, its transports, and the wire errors. */
export * from './api-contract.js';
export { createApiClient, type ApiTransport } from './api-client.js';
export { ApiError, isApiError, isApiReply, type ApiReply } from './api-reply.js';
export { createHttpTransport, type HttpTransportOptions, type WebSocketConstructorLike, type WebSocketLike } from './http-transport.js';
export { connectApi } from './connect-api.js';
export { IPC_BRIDGE_GLOBAL, callChannel, eventChannel } from './ipc-channels.js';
export type { WireError, EngineErrorCode } from '../engine/engine-error.js';
