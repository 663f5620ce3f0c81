// The IWA's web app manifest, with the least permissions policy the program
// needs: Direct Sockets and cross-origin isolation always; the local-network
// features (needed to reach 127.0.0.1, ::1 or private addresses) and
// multicast only when asked for.

export const LOCAL_NETWORK_FEATURES = ['local-network-access', 'local-network', 'loopback-network'];

export function permissionsPolicy({ localNetwork = false, multicast = false } = {}) {
  const features = ['direct-sockets', 'cross-origin-isolated'];
  if (localNetwork) features.push(...LOCAL_NETWORK_FEATURES);
  if (multicast) features.push('direct-sockets-multicast');
  return Object.fromEntries(features.map((f) => [f, ['self']]));
}

export function manifest({ name, version = '1.0.0', localNetwork, multicast }) {
  return {
    name,
    short_name: name.slice(0, 12),
    version,
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    icons: [{ src: '/icon.png', sizes: '256x256', type: 'image/png' }],
    permissions_policy: permissionsPolicy({ localNetwork, multicast }),
  };
}
