export { DevnetError, type DevnetErrorCode } from './errors'
export {
  startNetwork,
  createAccount,
  devAccountPassword,
  type DevAccount,
  type DevNetwork,
  type StartNetworkOptions,
} from './network'
export { startJetstreamRelay, type JetstreamRelay, type StartJetstreamRelayOptions } from './relay'
export type { JetstreamCommit, JetstreamEvent } from './jetstream-event'
export {
  startSimulation,
  makePost,
  type MakePostOptions,
  type SimAction,
  type SimActionKind,
  type Simulation,
  type SimulationOptions,
  type PostFeature,
  type StrongRef,
} from './simulate'
export { squarePng, type Rgb } from './png'
