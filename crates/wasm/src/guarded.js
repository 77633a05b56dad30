// The JavaScript calls the wasm module makes where JS may throw (a getter, a
// Proxy trap, a custom fetch, JSON.stringify of a cycle). Each helper catches
// here, in JS: no exception ever unwinds through a wasm frame (which leaks the
// module's stack until it dies) or reaches wasm-bindgen's `catch` imports
// (which keep about 11 bytes of the module's memory per exception caught).

/** `target[key]`; `undefined` for a non-object or when reading throws. */
export function get(target, key) {
  if (target === null || (typeof target !== "object" && typeof target !== "function")) return undefined;
  try {
    return Reflect.get(target, key);
  } catch {
    return undefined;
  }
}

/** `new ctor(...args)`; `undefined` when it throws. */
export function construct(ctor, args) {
  try {
    return Reflect.construct(ctor, args);
  } catch {
    return undefined;
  }
}

/** `f.apply(thisArg, args)` as `[true, result]`, or `[false, error]` when it throws. */
export function apply(f, thisArg, args) {
  try {
    return [true, Reflect.apply(f, thisArg, args)];
  } catch (error) {
    return [false, error];
  }
}

/** `JSON.stringify(value)`; `undefined` when it throws or gives nothing. */
export function stringify(value) {
  try {
    const text = JSON.stringify(value);
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JSON text of a settings object (a client config), or `{ key, what }`
 * naming the first value JSON would silently change into something else: a
 * number that is not finite (NaN, Infinity: JSON writes null), bytes, a Map or
 * a Set (JSON writes {}), a Symbol or a function (JSON leaves them out; in
 * settings, `fetch` is the one function that belongs). A
 * `Headers` is written as its entries. `undefined` when it cannot be read (a
 * cycle, a getter that throws, a revoked Proxy).
 */
export function settingsJson(value, data) {
  let bad;
  const replacer = (key, v) => {
    if (bad !== undefined) return undefined;
    let what;
    if (typeof v === "number" && !Number.isFinite(v)) {
      what = String(v);
    } else if (typeof v === "symbol" || (typeof v === "function" && (data || key !== "fetch"))) {
      what = typeof v === "function" ? "a function" : "a Symbol";
    } else if (v !== null && typeof v === "object") {
      if (typeof Headers === "function" && v instanceof Headers) return Object.fromEntries(v);
      const tag = Object.prototype.toString.call(v);
      if (tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]" || ArrayBuffer.isView(v)) {
        what = "bytes";
      } else if (tag === "[object Map]" || tag === "[object Set]") {
        what = tag === "[object Map]" ? "a Map" : "a Set";
      }
    }
    if (what === undefined) return v;
    bad = { key, what };
    return undefined;
  };
  try {
    const text = JSON.stringify(value, replacer);
    if (bad !== undefined) return bad;
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The own string keys of an object, at most `max + 1` (more than `max`
 * says "too many"); `undefined` when listing them throws. */
export function ownKeys(target, max) {
  try {
    const keys = [];
    for (const key of Reflect.ownKeys(target)) {
      if (typeof key !== "string") continue;
      keys.push(key);
      if (keys.length > max) break;
    }
    return keys;
  } catch {
    return undefined;
  }
}

/** The pairs of `target.entries()`, at most `max + 1` (more than `max`
 * says "too many"); `undefined` when it throws. */
export function entries(target, max) {
  try {
    const out = [];
    for (const entry of target.entries()) {
      out.push([entry[0], entry[1]]);
      if (out.length > max) break;
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Calls a callback of the caller's, ignoring what it throws. */
export function notify(callback, value) {
  try {
    const result = callback(value);
    // An async callback that rejects must not become an unhandled rejection
    // in the caller's process either.
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      result.then(undefined, () => {});
    }
  } catch {
    // A throwing progress callback (or a throwing `then`) must not break the listing.
  }
}

/**
 * Makes the exported classes safe to misuse. wasm-bindgen's `free()` (and
 * `Symbol.dispose`) releases an object's wasm memory at once, while a call of
 * it may still be running or come later: a method called on a freed object,
 * or on something that is not an instance, would make the module throw from
 * inside wasm. Here:
 * - `IdvClient.free()` marks the client freed (`__release`): its later calls
 *   reject with an IdvError (`sessions` gives an iterator whose `next()`
 *   rejects), calls already running finish, and the garbage collector
 *   releases the memory once no call holds it.
 * - `SessionStream.free()` ends the iteration as `return()` does, then
 *   releases its memory at once (after the method running on it, when
 *   `free()` is called from inside one); a freed iterator's `next()` and
 *   `return()` resolve `{ done: true }`.
 * - Every method first checks that `this` is a live instance: if not, it
 *   rejects (a promise-returning method) or throws (`sessions`) an IdvError.
 * And a `SessionStream` is its own async iterator (`for await`).
 */
export function harden(IdvError, syncMethods, client, stream) {
  const done = () => Promise.resolve({ value: undefined, done: true });
  for (const cls of [client, stream]) {
    const proto = cls.prototype;
    const markFreed = proto.__release;
    const wasmFree = proto.free;
    // Instances inside one of their own methods (its synchronous part, while
    // Rust borrows the object), and those freed meanwhile.
    const busy = new WeakMap();
    const freeAfterCall = new WeakSet();
    // "live", "freed" (wasm-bindgen zeroes the pointer of a freed object) or
    // "foreign" (not an instance, or `new SessionStream()`, which has none).
    const stateOf = (object) => {
      try {
        if (!(object instanceof cls) || typeof object.__wbg_ptr !== "number") return "foreign";
        return object.__wbg_ptr === 0 ? "freed" : "live";
      } catch {
        return "foreign";
      }
    };
    const release = function free() {
      if (stateOf(this) !== "live") return;
      try {
        markFreed.call(this);
        if (cls !== stream) return;
        if (busy.has(this)) freeAfterCall.add(this);
        else wasmFree.call(this);
      } catch {
        // free() never throws.
      }
    };
    Object.defineProperty(proto, "free", { value: release, writable: true, configurable: true });
    if (typeof Symbol.dispose === "symbol") {
      Object.defineProperty(proto, Symbol.dispose, { value: release, writable: true, configurable: true });
    }
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = proto[name];
      if (name === "constructor" || name === "free" || name === "__release" || typeof method !== "function") continue;
      const sync = syncMethods.includes(name);
      const guarded = {
        [name](...args) {
          const state = stateOf(this);
          if (state !== "live") {
            if (state === "freed" && cls === stream) return done();
            const error = new IdvError(`${cls.name}.${name}: \`this\` is not a ${cls.name}`, { code: "config" });
            if (sync) throw error;
            return Promise.reject(error);
          }
          busy.set(this, (busy.get(this) ?? 0) + 1);
          try {
            return method.apply(this, args);
          } finally {
            const calls = busy.get(this) - 1;
            if (calls > 0) {
              busy.set(this, calls);
            } else {
              busy.delete(this);
              if (freeAfterCall.delete(this)) {
                try {
                  wasmFree.call(this);
                } catch {
                  // Left to the garbage collector.
                }
              }
            }
          }
        },
      }[name];
      Object.defineProperty(proto, name, { value: guarded, writable: true, configurable: true });
    }
  }
  // The rows read so far that were not sessions, as a `SessionList` has them
  // (empty for a freed stream: its memory is gone).
  for (const [name, field, none] of [["badRows", "rows", () => []], ["badRowCount", "count", () => 0]]) {
    Object.defineProperty(stream.prototype, name, {
      get() {
        try {
          // A freed stream's guarded methods answer `done`, not its rows.
          const found = this.__badRows();
          return found !== null && typeof found === "object" && field in found ? found[field] : none();
        } catch {
          return none();
        }
      },
      configurable: true,
    });
  }
  Object.defineProperty(stream.prototype, Symbol.asyncIterator, {
    value: function asyncIterator() {
      return this;
    },
    writable: true,
    configurable: true,
  });
}

/** `Array.isArray(value)`; false when asking throws (a revoked Proxy). */
export function isArray(value) {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `[promise, cancel]`: a native promise that follows `value` (a promise, a
 * thenable, or not), and a function that settles it at once. The wasm side
 * settles every promise it stops waiting for: a promise it listens to that
 * never settled would keep that listener's memory forever.
 */
export function cancellable(value) {
  let cancel;
  const promise = new Promise((resolve, reject) => {
    cancel = () => resolve(undefined);
    new Promise((follow) => follow(value)).then(resolve, reject);
  });
  return [promise, cancel];
}

/** `[promise, cancel]`: resolves after `ms`; `cancel` clears the timer and resolves it now. */
export function timer(ms) {
  let cancel;
  const promise = new Promise((resolve) => {
    const id = setTimeout(resolve, ms);
    cancel = () => {
      clearTimeout(id);
      resolve(undefined);
    };
  });
  return [promise, cancel];
}

/** Appends the items of a JSON array (text written by the wasm module) to `target`. */
export function appendJson(target, json) {
  const items = JSON.parse(json);
  for (let i = 0; i < items.length; i++) target.push(items[i]);
}

const encoder = new TextEncoder();

/**
 * A string's UTF-8 bytes, from UTF-16 unit `from` on, written into `into` (a
 * view of wasm memory) as far as they fit; lone surrogates as U+FFFD, as any
 * encoder writes them. Returns `[read, written]`. `encodeInto` straight into
 * wasm memory: `encode` (a new buffer, then a copy) took 5x as long in
 * Chromium (39 ms against 7 ms for 11.7 MB).
 */
export function utf8Into(text, from, into) {
  try {
    const { read, written } = encoder.encodeInto(from === 0 ? text : text.substring(from), into);
    return [read, written];
  } catch {
    return [0, 0]; // an encoder replaced by a script: nothing read (the caller stops)
  }
}

/** `target[at[i]] = JSON.parse(json)[i]`, for JSON text this crate wrote: a
 * full listing's sessions placed in their slots (a later copy replaces an
 * earlier one; `null`, a session the status filter rejects). */
export function placeJson(target, json, at) {
  const items = JSON.parse(json);
  for (let i = 0; i < items.length; i++) target[at[i]] = items[i];
}

/** Removes the `null`s from `target`, in place, keeping the order. */
export function dropNulls(target) {
  let kept = 0;
  for (let i = 0; i < target.length; i++) {
    const item = target[i];
    if (item !== null) target[kept++] = item;
  }
  target.length = kept;
}
