/// <reference types="vite/client" />

declare module 'virtual:terrarium-example-tabs' {
  const tabs: { query: string; variables: string }[];
  export default tabs;
}
