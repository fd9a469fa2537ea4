// The in-memory control plane (clock offset, request journal, faults), per process.
import type { EmulatorClock } from '../clock.js'
import type { Ids } from '../random.js'
import { createClockService } from './emulator-clock.js'
import { createFaultService } from './faults.js'
import { createJournal } from './journal.js'

/**
 * The parts of the control plane that live in memory, not in SQLite: the clock offset, the request
 * journal and the active faults. They describe this process, not the emulated Quiltt data, so a
 * restart or a full reset starts them afresh.
 */
export function createControl ({ clock, ids }: { clock: EmulatorClock, ids: Ids }, options: { journalSize: number }) {
  const journal = createJournal(options.journalSize)
  const faults = createFaultService({ clock, ids })
  return {
    clock: createClockService(clock),
    journal,
    faults,
    /** Part of a full reset: real time, no faults, an empty journal. */
    reset (): void {
      clock.reset()
      faults.clear()
      journal.clear()
    }
  }
}

export type Control = ReturnType<typeof createControl>
