// The page test/connector-browser.test.ts bundles with esbuild: what Quiltt's Next.js template's home
// page does, @quiltt/react's QuilttButton whose onExitSuccess keeps metadata.connectionId. Built with
// Quiltt's default hosts (no QUILTT_API_DOMAIN): the test answers them with quiltt-mock/playwright.
import { createElement as h, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { QuilttButton, QuilttProvider } from '@quiltt/react'

function Home () {
  const [connectionId, setConnectionId] = useState('')
  const [events, setEvents] = useState<string[]>([])
  const connectionToRepair = new URLSearchParams(location.search).get('connectionId') ?? undefined
  return h('main', null,
    h(QuilttButton, {
      connectorId: 'rbemt34osd',
      connectionId: connectionToRepair,
      onEvent: (type: string) => setEvents(e => [...e, type]),
      onExitSuccess: (metadata: { connectionId?: string }) => setConnectionId(metadata.connectionId ?? '')
    }, connectionToRepair ? 'Reconnect Account' : 'Connect Account'),
    h('p', { 'data-testid': 'connection' }, connectionId),
    h('p', { 'data-testid': 'events' }, events.join(' ')))
}

const token = decodeURIComponent(location.hash.slice(1))
createRoot(document.getElementById('root')!).render(h(QuilttProvider, { clientId: 'quilttmock', token }, h(Home)))
