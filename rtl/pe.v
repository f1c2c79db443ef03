`default_nettype none
// Processing element of the output-stationary systolic array.
// Multiplies a signed int8 operand from the left by a signed int8 operand from above and
// accumulates into a 32-bit register that wraps modulo 2**32 (two's complement, no saturation).
// Operands and their flags are passed on, registered, to the right (a) and down (b).
//   first: this operand pair starts a new output (acc <= a*b instead of acc + a*b)
//   last : this pair ends the output; the finished sum is copied to `res`, which then holds it
//          while the next output accumulates.
module pe (
    input  wire               clk,
    input  wire               rst,
    // from the left neighbour (or the row edge)
    input  wire signed [7:0]  a_in,
    input  wire               valid_in,
    input  wire               first_in,
    input  wire               last_in,
    // from the neighbour above (or the column edge)
    input  wire signed [7:0]  b_in,
    // to the right / down
    output reg  signed [7:0]  a_out,
    output reg                valid_out,
    output reg                first_out,
    output reg                last_out,
    output reg  signed [7:0]  b_out,
    // finished output of the last completed tile
    output reg  signed [31:0] res
);
    reg  signed [31:0] acc;
    wire signed [15:0] product = a_in * b_in;
    wire signed [31:0] product_w = {{16{product[15]}}, product};
    wire signed [31:0] sum = (first_in ? 32'sd0 : acc) + product_w;

    always @(posedge clk) begin
        if (rst) begin
            a_out     <= 8'sd0;
            b_out     <= 8'sd0;
            valid_out <= 1'b0;
            first_out <= 1'b0;
            last_out  <= 1'b0;
            acc       <= 32'sd0;
            res       <= 32'sd0;
        end else begin
            a_out     <= a_in;
            b_out     <= b_in;
            valid_out <= valid_in;
            first_out <= first_in;
            last_out  <= last_in;
            if (valid_in) begin
                acc <= sum;
                if (last_in) res <= sum;
            end
        end
    end
endmodule
`default_nettype wire
