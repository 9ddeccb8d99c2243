using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SplitCcp.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DriftInLine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "InLine",
                table: "TenantDrift",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            // Tenants checked before this column existed keep what they had in line, so drift stays drift after the
            // upgrade: what an apply step made, and what any stored check found in sync.
            migrationBuilder.Sql("""
                UPDATE "TenantDrift" SET "InLine" = (
                    SELECT json_group_array("Key") FROM (
                        SELECT s."ResourceKey" AS "Key" FROM "ApplySteps" s JOIN "Applies" a ON a."Id" = s."ApplyId"
                        WHERE a."TenantId" = "TenantDrift"."TenantId" AND s."State" = 'Succeeded'
                        UNION
                        SELECT json_extract(r.value, '$.key') FROM "DriftReports" d, json_each(d."ResourcesJson") r
                        WHERE d."TenantId" = "TenantDrift"."TenantId" AND json_extract(r.value, '$.state') = 'InSync'
                        ORDER BY 1));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "InLine",
                table: "TenantDrift");
        }
    }
}
