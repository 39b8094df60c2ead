// autocannon ships no type declarations; the bench uses only what is typed here.
declare module 'autocannon' {
  interface AutocannonResult {
    duration: number;
    non2xx: number;
    requests: { average: number; total: number };
    errors: number;
  }
  function autocannon(options: Record<string, unknown>): Promise<AutocannonResult>;
  export default autocannon;
}
