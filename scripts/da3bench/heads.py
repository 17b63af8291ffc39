"""What the measured image leaves out, estimated from FLOP counts: DA3's
DPT head and its camera head, against the backbone the block suite runs.

The DPT head is counted as Depth Anything's DPTHead is built (Ranftl et
al., "Vision Transformers for Dense Prediction", 2021): per tapped layer a
1x1 projection of the tokens, a resize (4x and 2x transposed convolutions,
identity, a stride-2 3x3 convolution), a 3x3 convolution to `features`
channels, four fusion blocks (two residual units of two 3x3 convolutions
each, one unit in the first, a 1x1 convolution after each 2x upsample),
then a 3x3 convolution to features/2 at 8x the patch grid and, at the
output size, a 3x3 convolution to 32 channels and a 1x1 to the outputs.
Multiply-adds count 2 flops; activations, additions and interpolations are
not counted (a few percent). Head sizes per variant (features,
out_channels) are DA3's published configurations; the projection takes
the token and the class token concatenated (2 x width, DA3's cat_token).
DA3's DualDPT adds a second branch for the rays: not counted, so the
estimate is a lower bound. The camera head decodes one token through a
small MLP: under 0.1 GFLOP, nothing beside the rest.
"""

import math

# width -> (DPT features, out_channels per tapped layer)
DPT = {384: (64, (48, 96, 192, 384)), 768: (128, (96, 192, 384, 768)),
       1024: (256, (256, 512, 1024, 1024)), 1536: (384, (1536, 1536, 1536, 1536))}


def conv(pixels, cin, cout, k):
    """flops of a k x k convolution over `pixels` output pixels"""
    return 2.0 * pixels * cin * cout * k * k


def dpt_flops(width, gh=20, gw=36, outputs=2):
    """GFLOP of one DPT branch for one view of gh x gw patches of 14 px
    (a 504x280 view: 36 x 20). None for a width with no known head."""
    if width not in DPT:
        return None
    f, oc = DPT[width]
    dim_in = 2 * width
    p = gh * gw
    half = math.ceil(gh / 2) * math.ceil(gw / 2)
    res = (16 * p, 4 * p, p, half)  # the four levels after the resize
    total = sum(conv(p, dim_in, c, 1) for c in oc)                      # projections
    total += 2.0 * p * oc[0] * oc[0] * 16 + 2.0 * p * oc[1] * oc[1] * 4  # transposed 4x, 2x
    total += conv(half, oc[3], oc[3], 3)                                # stride-2 conv
    total += sum(conv(r, c, f, 3) for r, c in zip(res, oc))             # to `features`
    rcu = lambda r: 2 * conv(r, f, f, 3)  # noqa: E731  one residual unit
    total += rcu(res[3]) + conv(res[2], f, f, 1)                        # fusion 4
    total += 2 * rcu(res[2]) + conv(res[1], f, f, 1)                    # fusion 3
    total += 2 * rcu(res[1]) + conv(res[0], f, f, 1)                    # fusion 2
    total += 2 * rcu(res[0]) + conv(4 * res[0], f, f, 1)                # fusion 1
    total += conv(4 * res[0], f, f // 2, 3)                             # output conv 1
    full = (gh * 14) * (gw * 14)
    total += conv(full, f // 2, 32, 3) + conv(full, 32, outputs, 1)     # output conv 2
    return total * 1e-9


def backbone_flops(width, depth, tokens=721):
    """GFLOP of the backbone's blocks as the block suite counts them: the
    four GEMMs (QKV, projection, MLP 4x) and attention's two products."""
    return depth * (2.0 * tokens * 12 * width * width + 4.0 * tokens * tokens * width) * 1e-9
