/**
 * Terrarium's partner widget: an animal card (the contract's AnimalCard) and a live stock badge
 * (LiveStock), for any page:
 *
 *   <script src="https://gateway.example/embed/v1/terrarium-embed.js" data-api-key="tk_..."
 *           data-animal-id="<uuid>" data-product-id="<uuid>" data-product-slug="<slug>"></script>
 *
 * Attributes: data-api-key (required), data-animal-id (the card), data-product-id (live badge over
 * SSE), data-product-slug (the badge's first value and its polling fallback), data-poll-seconds
 * (how often the fallback polls; 0: never; @default 30), data-target (a CSS selector to render into; @default right after the script),
 * data-endpoint (@default /graphql on the script's origin).
 *
 * Operations go by persisted id only (the gateway fills PERSISTED_IDS in from the partner manifest
 * when it serves this file), queries by GET so a CDN can cache them. Plain DOM in a shadow root, so
 * the host page's CSS neither breaks the card nor is touched by it. One classic script, no imports.
 */
(() => {
  type PersistedIds = Partial<Record<'AnimalCard' | 'LiveStock' | 'StockLevel', string>>;
  const PERSISTED_IDS = '__TERRARIUM_PERSISTED_IDS__' as unknown as PersistedIds;

  interface Money {
    amount: number;
    currency: string;
  }
  /** AnimalCardQuery (packages/client/src/generated/partner-embed/graphql.ts), restated: this file imports nothing. */
  interface AnimalCard {
    animal: {
      id: string;
      name: string;
      morph: string | null;
      species: { commonName: string };
      photos: { url: string; alt: string | null }[];
      listing: { status: string; price: Money } | null;
      breeder: { name: string; slug: string; averageRating: number | null };
    } | null;
  }
  interface StockLevel {
    product: { id: string; name: string; stock: { available: number } } | null;
  }
  interface LiveStock {
    stockChanged: { id: string; name: string; stock: { available: number } };
  }
  interface GraphQLResult<T> {
    data?: T | null;
    errors?: { message: string; extensions?: { code?: string } }[];
    extensions?: Record<string, unknown>;
  }

  const script = document.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const attr = (name: string): string | null => script.getAttribute(`data-${name}`);
  const apiKey = attr('api-key');
  const endpoint = attr('endpoint') ?? new URL('/graphql', script.src).toString();
  const pollSeconds = Number(attr('poll-seconds') ?? 30);
  const pollMs = Number.isFinite(pollSeconds) && pollSeconds >= 0 ? pollSeconds * 1000 : 30_000;

  const host = document.createElement('div');
  host.className = 'terrarium-embed';
  const target = attr('target');
  const container = target ? document.querySelector(target) : null;
  if (container) container.appendChild(host);
  else script.insertAdjacentElement('afterend', host);
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `
    <style>
      :host { all: initial; display: inline-block; font: 14px/1.4 system-ui, sans-serif; color: #1b2a1f; }
      .card { border: 1px solid #cfd8d0; border-radius: 8px; overflow: hidden; width: 280px; background: #fff; }
      img { display: block; width: 100%; height: auto; background: #eef2ee; }
      .body { padding: 10px 12px; }
      .name { font-size: 16px; font-weight: 600; margin: 0; }
      .meta, .breeder { color: #58675b; margin: 2px 0; }
      .price { font-weight: 600; margin: 6px 0 0; }
      .stock { display: inline-block; margin-top: 6px; padding: 1px 8px; border-radius: 10px; background: #e3f1e5; }
      .stock[data-available="0"] { background: #f6e1e1; }
      .error { color: #9b2c2c; padding: 10px 12px; }
      [hidden] { display: none; }
    </style>
    <div class="card" part="card">
      <img class="photo" alt="" hidden>
      <div class="body">
        <p class="name"></p>
        <p class="meta"></p>
        <p class="breeder"></p>
        <p class="price"></p>
        <span class="stock" hidden></span>
      </div>
      <div class="error" hidden></div>
    </div>`;
  const $ = <E extends Element>(selector: string): E => root.querySelector(selector) as E;

  function showError(message: string): void {
    const error = $<HTMLDivElement>('.error');
    error.textContent = message;
    error.hidden = false;
  }

  /** A persisted query by GET: cacheable by the browser and any CDN on the way (Cache-Control from the gateway). */
  async function persistedGet<T>(name: keyof PersistedIds, variables: Record<string, unknown>): Promise<T> {
    const id = PERSISTED_IDS[name];
    if (!id) throw new Error(`${name} is not a persisted operation on this gateway`);
    const url = new URL(endpoint);
    url.searchParams.set('operationName', name);
    url.searchParams.set('variables', JSON.stringify(variables));
    url.searchParams.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }));
    // x-apollo-operation-name also satisfies the gateway's CSRF prevention for GET.
    const response = await fetch(url.toString(), {
      headers: { 'x-api-key': apiKey ?? '', 'x-apollo-operation-name': name },
    });
    const result = (await response.json()) as GraphQLResult<T>;
    if (result.errors?.length || !result.data)
      throw new Error(result.errors?.[0]?.message ?? `HTTP ${response.status}`);
    return result.data;
  }

  function price({ amount, currency }: Money): string {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: 'currency',
        currency,
      }).format(amount / 100);
    } catch {
      return `${(amount / 100).toFixed(2)} ${currency}`;
    }
  }

  async function renderCard(id: string): Promise<void> {
    const { animal } = await persistedGet<AnimalCard>('AnimalCard', { id });
    if (!animal) return showError('This animal is not available.');
    host.dataset['animalId'] = animal.id;
    $<HTMLParagraphElement>('.name').textContent = animal.name;
    $<HTMLParagraphElement>('.meta').textContent = [animal.morph, animal.species.commonName]
      .filter(Boolean)
      .join(' · ');
    $<HTMLParagraphElement>('.breeder').textContent = `Bred by ${animal.breeder.name}`;
    $<HTMLParagraphElement>('.price').textContent = animal.listing ? price(animal.listing.price) : '';
    const photo = animal.photos[0];
    if (photo) {
      const img = $<HTMLImageElement>('.photo');
      img.src = photo.url;
      img.alt = photo.alt ?? animal.name;
      img.hidden = false;
    }
  }

  function showStock(available: number): void {
    const badge = $<HTMLSpanElement>('.stock');
    badge.dataset['available'] = String(available);
    badge.textContent = available > 0 ? `${available} in stock` : 'Out of stock';
    badge.hidden = false;
  }

  /** How a LiveStock stream ended: never offered (refused, no SSE), ended by the gateway, or dropped. */
  type StreamEnd = 'unavailable' | 'completed' | 'dropped';

  /**
   * LiveStock over Server-Sent Events (graphql-sse's distinct-connections mode: the GraphQL endpoint
   * with `Accept: text/event-stream`), read with fetch rather than EventSource, which cannot send
   * the x-api-key header. `resume.lastEventId` is the id of the last event shown (kept current
   * here): a stream opened again after a drop asks for what it missed meanwhile.
   */
  async function streamStock(productId: string, resume: { lastEventId: string | null }): Promise<StreamEnd> {
    const id = PERSISTED_IDS.LiveStock;
    if (!id || typeof ReadableStream === 'undefined' || typeof TextDecoderStream === 'undefined')
      return 'unavailable';
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          'x-api-key': apiKey ?? '',
        },
        body: JSON.stringify({
          operationName: 'LiveStock',
          variables: { productId },
          extensions: {
            persistedQuery: { version: 1, sha256Hash: id },
            ...(resume.lastEventId ? { lastEventId: resume.lastEventId } : {}),
          },
        }),
      });
    } catch {
      return 'dropped';
    }
    if (
      !response.ok ||
      !response.body ||
      !(response.headers.get('content-type') ?? '').includes('text/event-stream')
    )
      return response.status >= 500 ? 'dropped' : 'unavailable';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    // A gateway that shuts down (a deploy) ends its streams with SERVICE_UNAVAILABLE: open again.
    let unavailable = false;
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch {
        return 'dropped';
      }
      if (chunk.done) return 'dropped';
      buffer += chunk.value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(message)?.[1];
        const data = message
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (event === 'complete') return unavailable ? 'dropped' : 'completed';
        if (event === 'next' && data) {
          const result = JSON.parse(data) as GraphQLResult<LiveStock>;
          unavailable =
            result.errors?.some((error) => error.extensions?.code === 'SERVICE_UNAVAILABLE') ?? false;
          const eventId = result.extensions?.['eventId'];
          if (typeof eventId === 'string') resume.lastEventId = eventId;
          if (result.data) showStock(result.data.stockChanged.stock.available);
        }
      }
    }
  }

  /**
   * Keeps the badge live: a dropped stream (a deploy, a proxy's idle timeout, a network blip) is
   * opened again after 1 s, doubling to 30 s while it keeps failing, and resumes after the last
   * event shown, so a change made meanwhile still arrives. Resolves when no stream can be had
   * (the caller polls then): never offered, ended by the gateway, or 5 failed tries in a row.
   */
  async function liveStock(productId: string): Promise<void> {
    const resume = { lastEventId: null as string | null };
    let failures = 0;
    for (;;) {
      const opened = Date.now();
      const end = await streamStock(productId, resume).catch((): StreamEnd => 'dropped');
      if (end !== 'dropped') return;
      // A stream that stayed up a while was healthy: start backing off afresh.
      failures = Date.now() - opened > 30_000 ? 1 : failures + 1;
      if (failures > 5) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * 2 ** (failures - 1))));
    }
  }

  async function pollStock(slug: string): Promise<void> {
    for (;;) {
      try {
        const { product } = await persistedGet<StockLevel>('StockLevel', { slug });
        if (product) showStock(product.stock.available);
      } catch {
        // A failed poll keeps the last value; the next one may succeed.
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async function startStock(productId: string | null, slug: string | null): Promise<void> {
    if (slug && PERSISTED_IDS.StockLevel) {
      const first = await persistedGet<StockLevel>('StockLevel', { slug }).catch(() => null);
      if (first?.product) showStock(first.product.stock.available);
    }
    // When no stream can be had (no SSE, a refusal, the gateway ended it, or it keeps dropping),
    // polling keeps the badge current.
    if (productId) await liveStock(productId);
    if (slug && PERSISTED_IDS.StockLevel && pollMs > 0) await pollStock(slug);
  }

  if (!apiKey) {
    showError('Terrarium embed: data-api-key is missing.');
    return;
  }
  const animalId = attr('animal-id');
  if (animalId)
    renderCard(animalId).catch((err: unknown) => showError(err instanceof Error ? err.message : String(err)));
  void startStock(attr('product-id'), attr('product-slug'));
})();
