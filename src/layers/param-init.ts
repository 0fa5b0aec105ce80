/**
 * How a parameter tensor starts. A layer kind declares one per parameter (see registry.ts); the
 * model draws them all from one seeded stream (model/init.ts). Plain data, so a plan can be
 * printed or stored and two plans compared.
 */
export type ParamInit =
  { readonly kind: 'constant'; readonly value: number } | { readonly kind: 'normal'; readonly std: number };

export const constant = (value: number): ParamInit => ({ kind: 'constant', value });

/**
 * The weight inits a config may name. fanIn / fanOut are the inputs and outputs each weight
 * connects (an affine layer's in and out widths):
 *   he      N(0, 2 / fanIn)            He et al. 2015, for ReLU nets (the default)
 *   xavier  N(0, 2 / (fanIn + fanOut))  Glorot & Bengio 2010, for tanh / sigmoid nets
 *   lecun   N(0, 1 / fanIn)             LeCun et al. 1998 (what `xavier` used to mean here)
 *   normal  N(0, std²)                  with the config's `std`
 *   zeros   all 0
 */
export const WEIGHT_INITS = ['he', 'xavier', 'lecun', 'normal', 'zeros'] as const;
export type WeightInit = (typeof WEIGHT_INITS)[number];

export function weightInit(scheme: WeightInit, fanIn: number, fanOut: number, std: number): ParamInit {
  switch (scheme) {
    case 'he':
      return { kind: 'normal', std: Math.sqrt(2 / fanIn) };
    case 'xavier':
      return { kind: 'normal', std: Math.sqrt(2 / (fanIn + fanOut)) };
    case 'lecun':
      return { kind: 'normal', std: Math.sqrt(1 / fanIn) };
    case 'normal':
      return { kind: 'normal', std };
    case 'zeros':
      return constant(0);
  }
}
