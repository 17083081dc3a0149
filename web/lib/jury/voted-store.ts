/**
 * Which rounds this device has voted in (round id -> nullifier), so the ballot page can say so before the juror
 * proves again for nothing: the first ballot stands and a second is refused. Local only; the server keeps no such
 * record (it cannot: ballots are anonymous). Browser only.
 */
const STORAGE_KEY = 'curia.jury.voted.v1'

function load(storage: Storage): Record<string, string> {
  try {
    const parsed = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}') as unknown
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {}
  } catch {
    return {}
  }
}

export function votedIn(roundId: number, storage: Storage = localStorage): string | null {
  const nullifier = load(storage)[String(roundId)]
  return typeof nullifier === 'string' ? nullifier : null
}

export function markVoted(roundId: number, nullifier: string, storage: Storage = localStorage): void {
  storage.setItem(STORAGE_KEY, JSON.stringify({ ...load(storage), [String(roundId)]: nullifier }))
}
