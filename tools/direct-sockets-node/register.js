// Installs the Direct Sockets classes as globals, unless already defined:
//   node --import ./tools/direct-sockets-node/register.js app.js
import * as api from './index.js';

for (const [name, value] of Object.entries(api)) {
  if (!(name in globalThis)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
}
