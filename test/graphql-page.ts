// The page test/graphql-browser.test.ts bundles with esbuild: what Quiltt's authentication tutorial's
// Welcome component does, with @quiltt/react's QuilttProvider and useQuery, for the session token in
// the URL's fragment. It shows the session state too, so the test can see the SDK drop it.
import { createElement as h } from 'react'
import { createRoot } from 'react-dom/client'
import { gql, QuilttProvider, useQuery, useQuilttSession } from '@quiltt/react'

const PROFILE = gql`query Profile { profile { id email } }`

function Welcome () {
  const { session } = useQuilttSession()
  const { data, error, refetch } = useQuery<{ profile: { id: string, email: string | null } }>(PROFILE, { skip: !session })
  return h('main', null,
    h('h1', { 'data-testid': 'welcome' }, `Welcome, ${data?.profile.email ?? ''}`),
    h('p', { 'data-testid': 'session' }, session ? 'signed in' : 'signed out'),
    h('p', { 'data-testid': 'error' }, error?.message ?? ''),
    h('button', { onClick: () => { refetch().catch(() => undefined) } }, 'Refetch'))
}

const token = decodeURIComponent(location.hash.slice(1))
createRoot(document.getElementById('root')!).render(h(QuilttProvider, { clientId: 'quilttmock', token }, h(Welcome)))
