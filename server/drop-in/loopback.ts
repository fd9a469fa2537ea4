// Whether a host is this machine. In drop-in/ because the preload may import nothing of the emulator;
// the CLI reads it too (a --host that is not loopback and has no --admin-token gets a warning).
import net from 'node:net'

const LOOPBACK = new net.BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/**
 * Whether a host name or address is this machine: `localhost`, `*.localhost`, 127.0.0.0/8 or ::1
 * (in brackets or not, IPv4-mapped included, any spelling of the IPv6 address).
 */
export function isLoopbackHost (hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  const family = net.isIP(name)
  return family !== 0 && LOOPBACK.check(name, family === 4 ? 'ipv4' : 'ipv6')
}
