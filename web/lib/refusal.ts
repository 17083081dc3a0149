/** How a server action that answers (rather than redirecting) says no: a stable code and a sentence for people. */
export type Refusal = { status: 'refused'; code: string; message: string }
